"""Authors, recipients, participants and the people only mentioned, read off titles and summaries."""
from __future__ import annotations

import pytest

from retrieval.people import PeopleDirectory
from retrieval.records import EntityKind, Participant, Role

# ----------------------------------------------------------------------------------------------- participants


def roles(people: PeopleDirectory, title: str, summary: str = "") -> list[tuple[str, str]]:
    return [(p.role, p.name) for p in people.participants(title, summary)]


SEED_TITLES = [
    ("Cable, Mao Zedong to Filippov [Stalin]",
     [("author", "Mao Zedong"), ("recipient", "Joseph Stalin")]),
    ("Cable, Zhou Enlai to the Chairman [Mao Zedong] and Comrades Liu [Shaoqi], Zhu [De], Peng [Dehuai], [Li] Fuchun, "
     "and Su Yu",
     [("author", "Zhou Enlai"), ("recipient", "Mao Zedong"), ("recipient", "Liu Shaoqi"), ("recipient", "Zhu De"),
      ("recipient", "Peng Dehuai"), ("recipient", "Li Fuchun"), ("recipient", "Su Yu")]),
    ("I. Tugarinov to Cde. B.N. Ponomarev, ‘Concentering the Situation on Taiwan (Memorandum)’",
     [("author", "Ivan Tugarinov"), ("recipient", "Boris Ponomarev")]),
    ("Ciphered Telegram from Semenov [Stalin] to Mao Zedong",
     [("author", "Joseph Stalin"), ("recipient", "Mao Zedong")]),
    ("Cable from the Chinese Embassy in the Soviet Union, 'Gromyko Discussed the Issue of Stopping Nuclear Weapons Tests'",
     [("author", "Chinese Embassy in the Soviet Union"), ("participant", "Andrei Gromyko")]),
    ("Record of Conversation between Mao Zedong and A.A. Gromyko",
     [("participant", "Mao Zedong"), ("participant", "Andrei Gromyko")]),
    ("Memorandum of Conversation, Soviet Ambassador to China N.V. Roshchin with Chinese Minister of Public Security "
     "Luo Ruiqing, 24 December 1951",
     [("participant", "Nikolai Roshchin"), ("participant", "Luo Ruiqing")]),
    ("From the Diary of V.M. Molotov, Reception of the Chinese Ambassador to France, Jing Tai, on 6 May 1946 at 3:00 p.m. "
     "in the Soviet Embassy in Paris",
     [("author", "Vyacheslav Molotov"), ("participant", "Jing Tai")]),
    ("Speech, Mao Zedong, 'On Sino-American and Sino-Soviet Relations'",
     [("author", "Mao Zedong")]),
    ("Report, Zhou Enlai to Chairman Mao [Zedong] and the Central Committee",
     [("author", "Zhou Enlai"), ("recipient", "Mao Zedong"), ("recipient", "CCP Central Committee")]),
    ("Letter, Central Committee of the Communist Party of the Soviet Union to the Chinese Communist Party, on the Soviet "
     "Union's Readiness to Provide Assistance to China in the Event of an Attack",
     [("author", "CPSU Central Committee"), ("recipient", "Chinese Communist Party")]),
    ("Letter from the Communist Party of the Soviet Union Central Committee to the Chinese Communist Party Central "
     "Committee on the Temporary Halt in Nuclear Assistance",
     [("author", "CPSU Central Committee"), ("recipient", "CCP Central Committee")]),
    ("Letter from Nikita Khrushchev to Zhou Enlai on the Prohibition of Nuclear Testing",
     [("author", "Nikita Khrushchev"), ("recipient", "Zhou Enlai")]),
    ("Meeting Minutes, Zhou Enlai’s Conversation with S.F. Antonov on the Taiwan Issue (excerpt)",
     [("participant", "Zhou Enlai"), ("participant", "Sergei Antonov")]),
    ("From the Journal of Ambassador S.F. Antonov, Summary of a Conversation with the Chairman of the CC CPC Mao Zedong",
     [("author", "Sergei Antonov"), ("participant", "CCP Central Committee"), ("participant", "Mao Zedong")]),
    ("Ciphered Telegram from Ambassador to Cuba Alekseev to the Central Committee for the Communist Party of the Soviet "
     "Union",
     [("author", "Aleksandr Alekseev"), ("recipient", "CPSU Central Committee")]),
    ("CPSU CC Politburo Directive to Soviet Ambassadors and Representatives, 'Carrying Out Additional Measures to Counter "
     "American-Chinese Military Cooperation'",
     [("author", "CPSU CC Politburo")]),
    ("Notes by Anastas Mikoyan ahead of Meetings with Mao Zedong",
     [("author", "Anastas Mikoyan"), ("participant", "Mao Zedong")]),
    ("Joseph V. Stalin to Ja'far Pishevari, Leader of the Democratic Party of Azerbaijan, 8 May 1946",
     [("author", "Joseph Stalin"), ("recipient", "Ja'far Pishevari"), ("participant", "Azerbaijan Democratic Party")]),
    ("Oral Statement of the PRC Government, Transmitted by PRC Vice Foreign Minister Liu Xiao to the Chargé d’Affaires of "
     "the USSR in the PRC, Cde. F. V. Mochulski",
     [("author", "Liu Xiao"), ("recipient", "F.V. Mochulski")]),
    ("Draft Reply to Mao Zedong's Telegram from Stalin via Molotov",
     [("author", "Joseph Stalin"), ("participant", "Mao Zedong"), ("participant", "Vyacheslav Molotov")]),
    ("Record of Talks between I.V. Stalin and Chairman of the Central People's Government of the People’s Republic of "
     "China Mao Zedong",
     [("participant", "Joseph Stalin"), ("participant", "Mao Zedong")]),
]


@pytest.mark.parametrize(("title", "expected"), SEED_TITLES, ids=[t[:50] for t, _ in SEED_TITLES])
def test_participants_roles_from_seed_titles(people: PeopleDirectory, title: str, expected: list) -> None:
    assert roles(people, title) == expected


REAL_PAGE_TITLES = [
    ("Cable, Stalin [Kuznetsov] to Mao Zedong [via Terebin]",
     [("author", "Joseph Stalin"), ("recipient", "Mao Zedong"), ("participant", "Andrei Orlov")]),
    ("Ciphered Telegram No. 502597, Razuvaev to Cdes. Vasilevsky and Vyshinsky, transmitting message from Kim Il Sung "
     "to I.V. Stalin",
     [("author", "Vladimir Razuvaev"), ("author", "Kim Il Sung"), ("recipient", "Aleksandr Vasilevsky"),
      ("recipient", "Andrey Vyshinsky"), ("recipient", "Joseph Stalin")]),
    ("Telegram from Baku to Moscow, M.D. Bagriov and I.I. Maslennikov to Cdes. Stalin, Molotov, Beria, and Malenkov",
     [("author", "Mir Jafar Bagirov"), ("author", "Ivan Maslennikov"), ("recipient", "Joseph Stalin"),
      ("recipient", "Vyacheslav Molotov"), ("recipient", "Lavrentiy Beria"), ("recipient", "Georgy Malenkov")]),
    ("Letter No. 340 from L.D. Wilgress, Canadian Embassy, Moscow, to the Secretary of State for External Affairs, "
     "W.L. Mackenzie King",
     [("author", "Dana Wilgress"), ("recipient", "William Lyon Mackenzie King")]),
    ("Hand delivered note, Zhou Enlai to Stalin, conveying telegram From Mao Zedong to Zhou Enlai",
     [("author", "Zhou Enlai"), ("author", "Mao Zedong"), ("recipient", "Joseph Stalin")]),
    # a document that carries another's letter: its writer and addressee write and receive it too
    ("Ciphered Telegram from Shtykov to Fyn-Si [Stalin], Transmitting a Letter to Stalin from Kim Il Sung",
     [("author", "Terenty Shtykov"), ("author", "Kim Il Sung"), ("recipient", "Joseph Stalin")]),
    ("Telegram from Gromyko to Poskrebyshevu, Relaying a Letter from Kim Il Sung in Stalin's Name",
     [("author", "Andrei Gromyko"), ("author", "Kim Il Sung"), ("recipient", "Alexander Poskrebyshev"),
      ("participant", "Joseph Stalin")]),
    ("Rezső Nyers’s Typed Notes to Miklós Németh on Gorbachev’s Briefing on the Malta Summit on 4 December",
     [("author", "Rezső Nyers"), ("recipient", "Miklós Németh"), ("participant", "Mikhail Gorbachev")]),
    ("Telegram 066764 from the Romanian Embassy in Pyongyang to the Romanian Ministry of Foreign Affairs, Pol Pot’s "
     "Visit to the DPRK",
     [("author", "Romanian Embassy in the DPRK"), ("recipient", "Romanian Ministry of Foreign Affairs"),
      ("mentioned", "Pol Pot")]),
    ("Conversation of Comrade Mao Zedong with Delegation of the People’s Army of Albania Haded by Comrade Beqir Balluku "
     "(2 October 1963)",
     [("participant", "Mao Zedong"), ("participant", "Beqir Balluku")]),
    ("Journal of Soviet Ambassador to the DPRK A.M. Puzanov for 11 March 1958",
     [("author", "Alexander Puzanov")]),
    ("Letter from Cde. Mao Zedong to Cde. Filippov [Stalin] via Kovalev",
     [("author", "Mao Zedong"), ("recipient", "Joseph Stalin"), ("participant", "Ivan Kovalev")]),
]


@pytest.mark.parametrize(("title", "expected"), REAL_PAGE_TITLES, ids=[t[:50] for t, _ in REAL_PAGE_TITLES])
def test_participants_roles_from_real_pages(people: PeopleDirectory, title: str, expected: list) -> None:
    assert roles(people, title) == expected


def test_participants_merge_title_and_summary_keeping_the_strongest_role(people: PeopleDirectory) -> None:
    title = "Letter from Nikita Khrushchev to Zhou Enlai on the Prohibition of Nuclear Testing"
    summary = ("Khrushchev writes to Zhou outlining the Soviet Union's argument for the need to halt the testing "
               "of atomic weapons; Mao Zedong and Stalin are mentioned.")
    assert people.participants(title, summary) == [
        Participant("Nikita Khrushchev", Role.AUTHOR, EntityKind.PERSON),
        Participant("Zhou Enlai", Role.RECIPIENT, EntityKind.PERSON),
        Participant("Mao Zedong", Role.MENTIONED, EntityKind.PERSON),
        Participant("Joseph Stalin", Role.MENTIONED, EntityKind.PERSON),
    ]


def test_participants_summary_central_committee_follows_the_title_country(people: PeopleDirectory) -> None:
    got = roles(people, "Cable, Mao Zedong to Filippov [Stalin]",
                "Mao Zedong informs the Central Committee of an important breakthrough.")
    assert got == [("author", "Mao Zedong"), ("recipient", "Joseph Stalin"), ("mentioned", "CCP Central Committee")]


def test_participants_of_a_title_without_names(people: PeopleDirectory) -> None:
    assert people.participants("Telegram from Pyongyang to Bucharest, SECRET, No. 059.057") == []


# ----------------------------------------------------------------------------------------------- mentioned

# Titles of the seeds and real pages: who took part, and whom the title only speaks of.
SPOKEN_OF_TITLES = [
    ("Cable, Terebin to Stalin, Plans for Mao's Visit to Moscow",
     [("author", "Andrei Orlov"), ("recipient", "Joseph Stalin"), ("mentioned", "Mao Zedong")]),
    ("Regarding President Tito’s Official Visit to the DPRK", [("mentioned", "Josip Broz Tito")]),
    ("Minutes of Conversation between the Romanian Delegation to Ho Chi Minh’s Funeral, Led by Ion Gheorge Maurer, "
     "and the Chinese Delegation, Led by Zhou Enlai, 11 September 1969",
     [("participant", "Ion Gheorghe Maurer"), ("participant", "Zhou Enlai"), ("mentioned", "Ho Chi Minh")]),
    ("Minutes of Conversation between Premier Zhou Enlai and Soviet Ambassador Pavel Yudin regarding Dag Hammarskjold’s "
     "Trip to Beijing",
     [("participant", "Zhou Enlai"), ("participant", "Pavel Yudin"), ("mentioned", "Dag Hammarskjöld")]),
    ("Record of CCP Politburo Discussion related to Peng Zhen, with Corrections by Mao Zedong",
     [("participant", "CCP Politburo"), ("participant", "Mao Zedong"), ("mentioned", "Peng Zhen")]),
    ("Telegram, CCP Central Committee to Zhou Enlai, Concerning Policies and Measures in the Struggle against the "
     "United States and Jiang Jieshi after the Geneva Conference",
     [("author", "CCP Central Committee"), ("recipient", "Zhou Enlai"), ("mentioned", "Chiang Kai-shek")]),
    # a quoted subject that records no exchange: spoken of
    ("Cable to the CCPCC International Liaison Department and Ministry of Foreign Affairs, 'Reactions of Albanian "
     "Newspapers to Our Nuclear Bomb Test and Khrushchev’s Removal'",
     [("recipient", "CCP International Liaison Department"), ("mentioned", "Nikita Khrushchev")]),
    ("Letter, Dimitrov to Molotov, 'The Situation in the People's Party of Iran'",
     [("author", "Georgi Dimitrov"), ("recipient", "Vyacheslav Molotov"), ("mentioned", "Tudeh Party")]),
    # ... and one that records an exchange, or a stretch "regarding" a meeting: those named took part
    ("From the Journal of A. A. Gromyko, 'Reception of the Ambassador of Iran in Moscow Nader Arasteh, 21 July 1949'",
     [("author", "Andrei Gromyko"), ("participant", "Nader Arasteh")]),
    ("Telegram from Kuznetsov to Soviet Foreign Ministry regarding a Meeting with Mao Zedong",
     [("author", "Vasily Kuznetsov"), ("recipient", "Soviet Ministry of Foreign Affairs"),
      ("participant", "Mao Zedong")]),
    ("Telegram from Aurel Duma to Corneliu Manescu Concerning the Conversation with Zhou Enlai",
     [("author", "Aurel Duma"), ("recipient", "Corneliu Mănescu"), ("participant", "Zhou Enlai")]),
    # a date after "on" is no subject
    ("From the Diary of N.V. Roshchin, Memorandum of Conversation with Chairman Mao Zedong on 20 October 1949",
     [("author", "Nikolai Roshchin"), ("participant", "Mao Zedong")]),
]


@pytest.mark.parametrize(("title", "expected"), SPOKEN_OF_TITLES, ids=[t[:50] for t, _ in SPOKEN_OF_TITLES])
def test_names_a_title_only_speaks_of_are_mentioned(people: PeopleDirectory, title: str, expected: list) -> None:
    assert roles(people, title) == expected


def test_names_only_in_the_summary_are_mentioned_not_participants(people: PeopleDirectory) -> None:
    """The 1957 Gromyko-Mao conversation: Stalin (dead since 1953) and Chiang Kai-shek are spoken of."""
    title = "Record of Conversation between Mao Zedong and A.A. Gromyko"
    summary = ("A.A. Gromyko and Mao Zedong discussed Sino-Soviet relations, U.S. relations with Taiwan and Chiang "
               "Kai-shek, Chinese economic policy and conditions in comparison to industrialized countries, Chinese "
               "foreign policy and relations with the U.S. and Britain, the United Nations, Stalin, and Soviet "
               "leadership.")
    assert roles(people, title, summary) == [
        ("participant", "Mao Zedong"), ("participant", "Andrei Gromyko"),
        ("mentioned", "Chiang Kai-shek"), ("mentioned", "Joseph Stalin"),
    ]


def test_a_name_in_the_title_and_summary_keeps_its_part_in_the_title(people: PeopleDirectory) -> None:
    got = roles(people, "Cable, Terebin to Stalin, Plans for Mao's Visit to Moscow",
                "Terebin tells Stalin that Mao Zedong wishes to come; Zhou Enlai would go with him.")
    assert got == [("author", "Andrei Orlov"), ("recipient", "Joseph Stalin"), ("mentioned", "Mao Zedong"),
                   ("mentioned", "Zhou Enlai")]


# ----------------------------------------------------------------------------------------------- case-blind patterns


def test_case_blind_patterns_find_the_same_in_a_lowercased_ascii_title() -> None:
    """The title grammar's case-blind patterns, run case-sensitively over an ASCII title lowercased (the faster
    way), find exactly what they find case-blind in the title as written; other titles keep the case-blind way."""
    from retrieval.people import roles as grammar
    from testing.listing_gen import generate_records

    titles = [title for _, title, _ in generate_records(2000, seed=9)]
    titles += [title.upper() for title in titles[:200]] + ["Telegram FROM X To Y, Transmitting A Letter TO Z By W",
                                                            "Notes ON Mao's Visit, RELATED   TO the Talks; Re: BY"]
    patterns = [value for value in vars(grammar).values() if isinstance(value, grammar.CaseBlind)]
    assert len(patterns) == 5
    for pattern in patterns:
        for title in titles:
            text, compiled = pattern.over(title, grammar.RoleReader(title, []).lowered)
            assert text == title.lower() and compiled is pattern.lower
            found = [(m.span(), m.group().lower()) for m in compiled.finditer(text)]
            assert found == [(m.span(), m.group().lower()) for m in pattern.any_case.finditer(title)], title
        assert pattern.over("Kälte TO Ñ", grammar.RoleReader("Kälte TO Ñ", []).lowered) == ("Kälte TO Ñ",
                                                                                          pattern.any_case)


def test_ascii_gaps_are_split_into_the_word_patterns_words() -> None:
    """A gap of ASCII is split by a byte table and a split: the same words as `[^\\W_]` finds, every character."""
    from retrieval.people import roles as grammar

    for code in range(0x80):
        gap = f"a{chr(code)}b {chr(code)}1{chr(code)}"
        assert grammar._gap_words(gap) == grammar._GAP_WORD_RE.findall(gap), code
    gap = "], and Comrades Mao's 1954 a_b-c "
    assert grammar._gap_words(gap) == grammar._GAP_WORD_RE.findall(gap) == ["and", "Comrades", "Mao", "s", "1954",
                                                                           "a", "b", "c"]
