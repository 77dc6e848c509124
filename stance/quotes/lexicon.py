"""The words English news attributes speech with, and the limits the quote rules read it by.

Cue verbs, the words that stand around a source or a content, and the lengths (in words) past which
a phrase is no longer a source, a name or a content; `stance.quotes.rules` and its helpers read
sentences against them.
"""

from __future__ import annotations

# Verbs that report what someone said, wrote or thinks, in the forms news uses them (nouns that
# share a spelling — "state", "report", "post" — are left out). Written from general knowledge of
# English news style.
SPEECH_CUES = frozenset(
    """
    say says said saying tell tells told telling add adds added adding write writes wrote writing
    ask asks asked note notes noted noting reported announce announces announced announcing
    explain explains explained explaining claim claims claimed claiming argue argues argued arguing
    warn warns warned warning insist insists insisted insisting stated stating acknowledge
    acknowledges acknowledged acknowledging admit admits admitted admitting declare declares
    declared declaring tweet tweets tweeted tweeting predict predicts predicted predicting promise
    promises promised promising vow vows vowed vowing pledge pledges pledged urge urges urged
    urging recall recalls recalled recalling respond responds responded replied reply replies
    concluded conceded concedes contend contends contended emphasized emphasizes stressed stresses
    complained complains countered testified testifies suggest suggests suggested suggesting
    confirm confirms confirmed denied denies estimated observed remarked allege alleges alleged
    charged cautioned joked quipped boasted bragged lamented mused repeated reiterated reiterates
    asserted asserts affirmed proclaimed assured assures recounted speculated wondered wonders
    believe believes believed think thinks thought hope hopes hoped fear fears feared worry worries
    worried doubt doubts doubted insisted acknowledged contended posited
    show shows showed shown find finds found indicate indicates indicated know knows knew feel feels
    felt agree agrees agreed continue continues continued mention mentions mentioned reveal reveals
    revealed signaled expect expects maintain maintains maintained hinted added
    """.split()
)
# Verbs of stance and response that PolNeAR-style attribution also counts ("Smith criticized the
# plan", "Jones wants a wall"): their content is the object, up to the end of the clause.
ATTITUDE_CUES = frozenset(
    """
    calls called calling criticize criticizes criticized criticizing want wants wanted
    support supports supported supporting endorse endorses endorsed endorsing describe describes
    described describing defend defends defended defending praise praises praised praising refuse
    refuses refused refusing backs backed backing oppose opposes opposed opposing propose
    proposes proposed proposing accuse accuses accused accusing blame blames blamed blaming reject
    rejects rejected rejecting dismiss dismisses dismissed dismissing question questions questioned
    questioning seek seeks sought seeking slam slams slammed slamming blast blasts blasted blasting
    attack attacks attacked attacking condemn condemns condemned condemning welcome welcomes
    welcomed welcoming demand demands demanded demanding cite cites cited citing discuss discusses
    discussed discussing compare compares compared comparing portray portrays portrayed portraying
    characterize characterizes characterized characterizing label labels labeled labeling dub dubs
    dubbed decried decry decries denounce denounces denounced denouncing mock mocks mocked mocking
    echo echoes echoed echoing tout touts touted touting highlight highlights highlighted
    highlighting favor favors favored prefer prefers preferred consider considers considered view
    views viewed deemed regard regards regarded recommend recommends recommended recommending
    acknowledge acknowledges acknowledged promise promises promised expressed express expresses
    pledged vowed hopes hoped plans planned intends intended seem seems seemed appear appears
    appeared declined declines
    """.split()
)
# Cues whose content may be a to-infinitive ("vowed to repeal the law").
INFINITIVE_CUES = frozenset(
    """
    want wants wanted promise promises promised vow vows vowed pledge pledges pledged refuse refuses
    refused seek seeks sought plan plans planned intend intends intended hope hopes hoped urge urges
    urged expect expects expected threaten threatens threatened seem seems seemed appear appears
    appeared declined declines ask asks asked asking tell tells told telling
    """.split()
)
# Cues followed first by the person addressed, then the content ("told reporters that ...").
ADDRESS_CUES = frozenset(
    "tell tells told telling assure assures assured warn warns warned ask asks asked asking".split()
)
# Cues that report something only with a "that" clause ("the poll found that ..."); otherwise
# they are ordinary verbs ("found the keys", "continued the tour").
THAT_ONLY_CUES = frozenset(
    """
    show shows showed shown find finds found indicate indicates indicated know knows knew feel feels
    felt agree agrees agreed continue continues continued mention mentions mentioned reveal reveals
    revealed signaled expect expects maintain maintains maintained hinted fear fears feared worry
    worries worried doubt doubts doubted confirm confirms confirmed add adds added
    """.split()
)
# Cues of findings and knowledge: never the lead-in of a quotation ("the news show “…”").
FINDING_CUES = frozenset(
    "show shows showed shown find finds found know knows knew feel feels felt indicate indicates indicated".split()
)
# Verbs whose next word makes a two-word cue ("called for", "pointed out").
PHRASAL_CUES = {
    verb: tuple(particles.split())
    for forms, particles in (
        ("call calls called calling", "for on"),
        ("point points pointed pointing", "out to"),
        ("refer refers referred referring", "to"),
        ("respond responds responded responding", "to"),
        ("focus focuses focused focusing", "on"),
        ("talk talks talked talking speak speaks spoke speaking", "about of"),
        ("comment comments commented commenting", "on"),
        ("vote votes voted voting campaigned rail rails railed railing", "for against"),
        ("joke jokes joked joking complain complains complained complaining", "about"),
        (
            "apologize apologizes apologized apologizing advocate advocates advocated advocating",
            "for",
        ),
        ("agree agrees agreed agreeing disagree disagrees disagreed", "with"),
        ("warn warns warned warning", "of about against"),
        ("worry worries worried", "about"),
        ("touch touches touched touching", "on"),
    )
    for verb in forms.split()
}
# Words between a source and its cue that belong to neither ("has also said", "later told").
AUXILIARIES = frozenset(
    """
    has have had also later then once previously repeatedly recently earlier again publicly
    privately would will could may might must should can cannot did does do not never often always first still even
    further reportedly is was are were been be long frequently already just since ’s 's
    """.split()
)
# Verbs that make a stretch a clause rather than an appositive ("…, the numbers were high, said").
FINITE_VERBS = frozenset(
    "is was are were has have had will would can could should did does do".split()
)
# Words that start a clause: a source noun phrase never reaches back over them.
CLAUSE_WORDS = frozenset(
    """
    that which who whom whose because while when where but if although though since so as after
    before until what how why than or nor unless whether and yet like
    """.split()
)
# Words that open an introductory phrase rather than content ("In a statement, Smith said, “…”").
INTRO_WORDS = frozenset(
    """
    in on at during after before speaking asked earlier later last yesterday today tonight monday
    tuesday wednesday thursday friday saturday sunday meanwhile separately still also but and
    for however though too instead
    """.split()
)
# Prepositions after a cue that show it is used another way ("said to be", "asked about").
NON_CONTENT_STARTS = frozenset("by to for about on in of with at from into as".split())
POSSESSIVES = frozenset("my your our his her its their whose".split())
# Words whose “’s” is “is” or “has” (“he’s said”), not a possessive.
CONTRACTED_SUBJECTS = frozenset("he she it that there what who where here let".split())
# Where a statement was made: “said in a statement”, “told reporters at a rally”.
SETTING_NOUNS = frozenset(
    """
    statement statements interview interviews speech speeches rally rallies tweet tweets email
    emails letter release conference debate appearance hearing call broadcast briefing post video
    op-ed editorial column memo filing press town hall event news show program podcast radio
    television twitter facebook
    """.split()
)
# Sources that report findings ("the survey found Clinton ahead").
RESEARCH_SOURCES = frozenset(
    """
    poll polls survey surveys study studies report reports data analysis results figures numbers
    research review investigation audit census estimates statistics records documents count
    """.split()
)
# “Asked whether …”, “when asked about …”: a question put to the sentence's subject.
PASSIVE_LEADS = frozenset("when after as if once while".split())
QUESTION_PUT = "asked (passive)"
QUESTION_WORDS = frozenset("whether if what who whom why how when where which about by to".split())
# “Gillibrand on Clinton: …”, “Clinton to Planned Parenthood: …”: a headline speaker ends before these.
HEADLINE_TOPIC_WORDS = frozenset("on to about at for in".split())
# Past tenses that don't end in -ed.
IRREGULAR_PASTS = frozenset("said told wrote thought knew felt found sought spoke saw".split())
# Words that end a time phrase, not a source ("a month ago announced", "last week said").
TIME_WORDS = frozenset(
    """
    ago week weeks month months year years day days today yesterday tonight morning afternoon
    evening night monday tuesday wednesday thursday friday saturday sunday earlier later
    """.split()
)
SUBJECT_PRONOUNS = frozenset("i we you he she it they".split())
# What may follow an object-complement verb that reports a view ("considered it a mistake").
OBJECT_WORDS = frozenset("me us you him her it them that this those these as to all both".split())
# Past participles of verbs that report a view of something ("considered", "deemed"): right before
# a bare complement they describe a noun instead ("people deemed dangerous").
COMPLEMENT_PARTICIPLES = frozenset("considered deemed viewed regarded seen labeled dubbed".split())
DETERMINERS = frozenset(
    "the a an his her its their our this that these those some many most".split()
)
# Lengths in words past which a phrase is no longer a source, a headline, an appositive, a name or
# a content.
MAX_SOURCE_WORDS = 10
MAX_HEADLINE_WORDS = 30
MAX_APPOSITIVE_WORDS = 20
MAX_NAME_WORDS = 6
MIN_CONTENT_WORDS = 2
MIN_UNATTRIBUTED_WORDS = 4
# How far (in words) after a cue a "that" may still open its content ("said Tuesday in a statement that").
MAX_WORDS_BEFORE_THAT = 7
# How many words may stand between a cue and the colon or comma that opens its quote ("said to Nevadans:").
MAX_WORDS_BEFORE_QUOTE = 5

# Curly quotation marks that open and close a quote (straight marks do both).
OPENING_MARKS = "“„«"
CLOSING_MARKS = "”»"
