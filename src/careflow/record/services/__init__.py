"""Service modules: the record's logic. Routes stay thin and call these; each call runs in the caller's
transaction (:class:`~careflow.record.services.context.Ctx` carries it), so a request is one unit of work."""
