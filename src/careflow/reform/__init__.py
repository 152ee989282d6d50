"""careflow.reform: a transparent national reform model of children's social care (work in progress)."""
