"""Name lists for fictional family members (common English given and family names; no real people)."""

from __future__ import annotations

GIVEN_FEMALE: tuple[str, ...] = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Freya", "Lily", "Sophia", "Emily", "Ella", "Poppy",
    "Evie", "Chloe", "Jessica", "Sophie", "Ruby", "Daisy", "Alice", "Phoebe", "Hannah", "Zara", "Aisha",
    "Amira", "Maryam", "Layla", "Nadia", "Priya", "Leah", "Megan", "Rebecca", "Laura", "Sarah", "Emma",
    "Rachel", "Kelly", "Claire", "Nicola", "Michelle", "Lisa", "Karen", "Joanne", "Donna", "Tracey",
    "Susan", "Julie", "Angela", "Carol", "Linda", "Patricia", "Margaret", "Jean", "Shanice", "Jade",
    "Chantelle", "Kayleigh", "Stacey", "Natalie", "Gemma", "Danielle",
)
GIVEN_MALE: tuple[str, ...] = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Archie", "Henry", "Jack", "Charlie",
    "Freddie", "Theo", "Thomas", "Jacob", "Alfie", "Muhammad", "Yusuf", "Ibrahim", "Omar", "Ali", "Hassan",
    "Arjun", "Ryan", "Kyle", "Liam", "Connor", "Callum", "Jordan", "Lewis", "Daniel", "James", "David",
    "Michael", "Paul", "Mark", "Andrew", "Stephen", "Craig", "Darren", "Lee", "Wayne", "Gary", "Kevin",
    "Robert", "John", "Peter", "Brian", "Keith", "Terry", "Dean", "Jason", "Nathan", "Tyler", "Kieran",
    "Reece", "Shane", "Jamie", "Dylan", "Mason",
)
FAMILY: tuple[str, ...] = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
    "Patel", "Khan", "Hussain", "Ahmed", "Ali", "Begum", "Shah", "Singh", "Kaur", "Okafor", "Mensah",
    "Adeyemi", "Campbell", "Stewart", "Murphy", "Kelly", "O'Brien", "Hughes", "Edwards", "Turner",
    "Hill", "Moore", "Cooper", "Ward", "Morris", "King", "Harrison", "Baker", "Lewis", "Mitchell",
    "Parker", "Bennett", "Griffiths", "Lloyd", "Cox", "Marshall", "Kowalski", "Nowak", "Popescu", "Silva",
)
