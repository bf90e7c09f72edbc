"""Questions over the seed article with the span each answer must contain (checked by hand).

Written from the article, not from what the reader happens to answer. The later ones are harder on
purpose: the article names several people, places, dates and numbers of the type asked for
(Putin, Pompeo, Lavrov, Trump, Hunt; Sochi, Brussels, Finland, Moscow, Washington; May 3, May
14, Monday, Tuesday; 2014, 2015, 2016, 2020), and some answers are inside quotes.
"""

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
    # harder: several candidates of the asked type in the article
    ("Where did Pompeo meet Putin?", "Sochi"),
    ("When did Putin shake hands with Pompeo?", "May 14"),
    ("Who responded tersely on Venezuela?", "Lavrov"),
    ("Who said the United States does not seek war with Iran?", "Pompeo"),
    ("Where were the European foreign ministers meeting?", "Brussels"),
    ("Who reported from Washington?", "Wilkinson"),
    ("In which election did Pompeo warn against tampering?", "2020"),
    ("In what year was the international agreement with Iran made?", "2015"),
    ("Where have both nations been dragged into costly wars?", "Afghanistan"),
    ("Who do the Saudis blame for some of the attacks?", "Iranian proxies"),
    ("What kind of reception did Pompeo get from the Europeans?", "frosty"),
    # quotes and numbers
    ("What did Lavrov say was a reason for optimism?", "met twice over the last two weeks"),
    ("According to Lavrov, what hinders both sides' security?", "mistrust"),
    ("How many times had Pompeo and Lavrov met in the last two weeks?", "twice"),
    ("How did Lavrov respond to Pompeo on Venezuela?", "You can not establish a democracy by force"),
]

UNANSWERABLE = [
    "What is the population of Sochi?",
    "Who won the football World Cup in 2018?",
    "How many people live in Finland?",
    "What is the name of Pompeo's wife?",
    "How much oil does Saudi Arabia export each day?",
    "Who is the prime minister of Japan?",
]

# The same question asked three ways must get the same answer (and the right one).
REWORDINGS = [
    (("Where did Putin and Pompeo meet?", "Where did Pompeo meet Putin?", "In which city did Pompeo and Putin meet?"), "Sochi"),
    (("What did Lavrov say on Venezuela?", "What was Lavrov's reply on Venezuela?", "How did Lavrov answer Pompeo about Venezuela?"),
     "You can not establish a democracy by force"),
    (("Who is the Venezuelan opposition leader?", "Who leads the opposition in Venezuela?", "Which opposition leader did Pompeo want Russia to support?"),
     "Juan Guaido"),
    (("How many troops did Trump deny planning to deploy?", "How many troops did the news report say Trump planned to send to the Persian Gulf?",
      "What number of troops were in the deployment plans Trump denied?"), "120,000"),
]

LAVROV = ("What did Lavrov say on Venezuela?", "You can not establish a democracy by force")
