"""Questions over the seed article with the span each answer must contain (checked by hand)."""

ANSWERABLE = [
    ("Where did Putin and Pompeo meet?", "Sochi"),
    ("Who is Russia's foreign minister?", "Lavrov"),
    ("When did Trump and Putin speak by phone?", "May 3"),
    ("How long did the call between Trump and Putin last?", "half an hour"),
    ("How many troops did Trump deny planning to deploy to the Persian Gulf?", "120,000"),
    ("Who is the Venezuelan opposition leader?", "Juan Guaido"),
    ("Who leads Venezuela's leftist government?", "Nicolas Maduro"),
    ("Where was the conference of the Arctic Council?", "Finland"),
    ("How did Lavrov describe the talks?", "frank"),
    ("Who said Europeans are worried about a conflict happening by accident?", "Jeremy Hunt"),
    ("Where did Pompeo stop on Monday?", "Brussels"),
    ("When did Russia annex Crimea?", "2014"),
    ("What did Pompeo call election tampering?", "unacceptable"),
    ("Who took the photo of Putin and Pompeo?", "Alexei Druzhinin"),
    ("Who was the special counsel?", "Mueller"),
    ("What did Putin call the evidence of Russian interference?", "fake"),
    ("Which bombers did the United States move into the region?", "B-52"),
    ("What does Pompeo want Iran to behave like?", "normal country"),
    ("Who reported from Moscow?", "Ayres"),
]

UNANSWERABLE = [
    "What is the population of Sochi?",
    "Who won the football World Cup in 2018?",
]

LAVROV = ("What did Lavrov say on Venezuela?", "You can not establish a democracy by force")
