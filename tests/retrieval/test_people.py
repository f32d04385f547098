"""The people directory on the archive's own wording: spellings, mentions in titles, roles, and the data file."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from retrieval.people import BUNDLED_FILE, PeopleDirectory, PeopleFileError, name_key
from retrieval.records import Participant
from retrieval.text import fold


@pytest.fixture(scope="module")
def people() -> PeopleDirectory:
    return PeopleDirectory.load()


# ----------------------------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ceaușescu", "ceausescu"),
        ("Gerő", "gero"),
        ("Michałowski", "michalowski"),
        ("Wałęsa", "walesa"),
        ("Søren", "soren"),
        ("Straße", "strasse"),
        ("Æsop", "aesop"),
        ("Đilas", "dilas"),
        ("Bodnăraş", "bodnaras"),
        ("Mao’s ‘plan’", "mao's 'plan'"),
        ("`quote`", "'quote'"),
        ("“Che”", '"che"'),
        ("1954–1955 — end", "1954-1955 - end"),
        ("KIM IL SUNG", "kim il sung"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


# ----------------------------------------------------------------------------------------------- resolve


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("Filippov", "Joseph Stalin"),
        ("Filipov", "Joseph Stalin"),
        ("Semenov", "Joseph Stalin"),
        ("Feng Xi", "Joseph Stalin"),
        ("Fyn-Si", "Joseph Stalin"),
        ("I.V. Stalin", "Joseph Stalin"),
        ("Filippov [Stalin]", "Joseph Stalin"),
        ("Chou En-lai", "Zhou Enlai"),
        ("Chou Enlai", "Zhou Enlai"),
        ("chou enlai", "Zhou Enlai"),
        ("Premier Zhou", "Zhou Enlai"),
        ("Enlai", "Zhou Enlai"),
        ("Mao Tse-tung", "Mao Zedong"),
        ("Chairman Mao", "Mao Zedong"),
        ("Zedong", "Mao Zedong"),
        ("Teng Hsiao-ping", "Deng Xiaoping"),
        ("Liu Shao-chi", "Liu Shaoqi"),
        ("Chu Teh", "Zhu De"),
        ("Peng Teh-huai", "Peng Dehuai"),
        ("Dehuai", "Peng Dehuai"),
        ("Lin Piao", "Lin Biao"),
        ("Jiang Jieshi", "Chiang Kai-shek"),
        ("Jieshi", "Chiang Kai-shek"),
        ("Khrushchov", "Nikita Khrushchev"),
        ("Khruschev", "Nikita Khrushchev"),
        ("N.S. Khrushchev", "Nikita Khrushchev"),
        ("A.A. Gromyko", "Andrei Gromyko"),
        ("a.a. gromyko", "Andrei Gromyko"),
        ("A. A. Gromyko", "Andrei Gromyko"),
        ("AA Gromyko", "Andrei Gromyko"),
        ("Cde. Gromyko", "Andrei Gromyko"),
        ("Comrade Gromyko", "Andrei Gromyko"),
        ("Vyshinskii", "Andrey Vyshinsky"),
        ("Vyshinskiy", "Andrey Vyshinsky"),
        ("Alekseyev", "Aleksandr Alekseev"),
        ("Kim Il-sung", "Kim Il Sung"),
        ("Kim Ir Sen", "Kim Il Sung"),
        ("Uiwan", "Bak Uiwan"),
        ("Terebin", "Andrei Orlov"),
        ("N. V. Roshchin", "Nikolai Roshchin"),
        ("Roschin", "Nikolai Roshchin"),
        ("S.F. Antonov", "Sergei Antonov"),
        ("CEAUSESCU", "Nicolae Ceaușescu"),
        ("Soviet Ambassador Yudin", "Pavel Yudin"),
        ("CC CPSU", "CPSU Central Committee"),
        ("Central Committee of the Communist Party of the Soviet Union", "CPSU Central Committee"),
        ("CC CPC", "CCP Central Committee"),
        ("USSR MFA", "Soviet Ministry of Foreign Affairs"),
    ],
)
def test_resolve_spellings(people: PeopleDirectory, spelling: str, canonical: str) -> None:
    assert people.resolve(spelling) == canonical


def test_plain_kuznetsov_is_the_deputy_foreign_minister_not_stalin(people: PeopleDirectory) -> None:
    assert people.resolve("Kuznetsov") == "Vasily Kuznetsov"
    assert people.resolve("V.V. Kuznetsov") == "Vasily Kuznetsov"


@pytest.mark.parametrize("name", ["Ivan Nobodyevich", "Kim", "Liu", "Deng", "Zhang", "Kennedy", "Stalin Prize", ""])
def test_unknown_or_ambiguous_names_resolve_to_none(people: PeopleDirectory, name: str) -> None:
    assert people.resolve(name) is None


def test_suggest_offers_close_spellings_for_unknown_names(people: PeopleDirectory) -> None:
    assert people.suggest("Krushchyov")[0] == "Nikita Khrushchev"
    assert people.suggest("Molotof")[0] == "Vyacheslav Molotov"
    assert people.suggest("qqqq") == []


def test_two_people_are_not_one_name(people: PeopleDirectory) -> None:
    assert people.resolve("Zhou Enlai and Mao Zedong") is None


# ----------------------------------------------------------------------------------------------- find


def spans(people: PeopleDirectory, text: str) -> list[tuple[str, str]]:
    return [(text[m.start:m.end], m.name) for m in people.find(text)]


def test_find_respects_word_boundaries(people: PeopleDirectory) -> None:
    assert spans(people, "A report on Maoist policy and Stalinism") == []
    assert spans(people, "Stalin's 70th birthday") == [("Stalin", "Joseph Stalin")]


def test_find_reads_bracketed_names_as_one_mention(people: PeopleDirectory) -> None:
    title = "Cable, Zhou Enlai to the Chairman [Mao Zedong] and Comrades Liu [Shaoqi], Zhu [De], Peng [Dehuai], [Li] Fuchun"
    assert spans(people, title) == [
        ("Zhou Enlai", "Zhou Enlai"),
        ("Chairman [Mao Zedong]", "Mao Zedong"),
        ("Liu [Shaoqi]", "Liu Shaoqi"),
        ("Zhu [De]", "Zhu De"),
        ("Peng [Dehuai]", "Peng Dehuai"),
        ("[Li] Fuchun", "Li Fuchun"),
    ]
    assert spans(people, "Ciphered Telegram No. 58986 from Kovalev to Filippov [Stalin]") == [
        ("Kovalev", "Ivan Kovalev"),
        ("Filippov [Stalin]", "Joseph Stalin"),
    ]
    assert spans(people, "Cable, Zhou Enlai to Chairman Mao [Zedong]")[1] == ("Chairman Mao [Zedong]", "Mao Zedong")
    assert spans(people, "Conversation from [Mao Zedong's] Audience") == [("Mao Zedong", "Mao Zedong")]


def test_find_handles_initials_and_brackets_inside_words(people: PeopleDirectory) -> None:
    assert spans(people, "Cde. B.N. Ponomarev and A. A. Gromyko") == [
        ("B.N. Ponomarev", "Boris Ponomarev"),
        ("A. A. Gromyko", "Andrei Gromyko"),
    ]
    assert spans(people, "Comrade Oskar Fischer and the Soviet Ambassador V[yacheslav] I. Kochemassov") == [
        ("Oskar Fischer", "Oskar Fischer"),
        ("V[yacheslav] I. Kochemassov", "Vyacheslav Kochemasov"),
    ]


def test_find_spans_index_the_original_text_with_accents(people: PeopleDirectory) -> None:
    text = "Talks between Nicolae Ceauşescu, Emil Bodnăraş and Rezső Nyers"
    assert spans(people, text) == [
        ("Nicolae Ceauşescu", "Nicolae Ceaușescu"),
        ("Emil Bodnăraş", "Emil Bodnăraș"),
        ("Rezső Nyers", "Rezső Nyers"),
    ]


def test_find_keeps_stalins_cover_names_apart_from_vv_kuznetsov(people: PeopleDirectory) -> None:
    assert [m.name for m in people.find("Cable, Stalin [Kuznetsov] to Mao Zedong [via Terebin]")] == [
        "Joseph Stalin", "Mao Zedong", "Andrei Orlov"]
    assert [m.name for m in people.find("Ciphered Telegram No. 69738 from Terebin to Kuznetsov")] == [
        "Andrei Orlov", "Joseph Stalin"]
    assert [m.name for m in people.find("Kuznetsov (Stalin) tells Terebin (Andrei Orlov) that two planes")] == [
        "Joseph Stalin", "Andrei Orlov"]
    assert [m.name for m in people.find("Telegram from Kuznetsov to Soviet Foreign Ministry")] == [
        "Vasily Kuznetsov", "Soviet Ministry of Foreign Affairs"]


def test_find_skips_places_named_after_people(people: PeopleDirectory) -> None:
    assert people.find("recalling its Consul General from Ho Chi Minh City") == []
    assert [m.name for m in people.find("Ho Chi Minh met Mao")] == ["Ho Chi Minh", "Mao Zedong"]


def test_find_disambiguates_by_title(people: PeopleDirectory) -> None:
    assert [m.name for m in people.find("Premier Zhou Enlai and Ambassador Nehru discuss")] == [
        "Zhou Enlai", "Ratan Kumar Nehru"]
    assert [m.name for m in people.find("Nehru gives a detailed report on his visit to China")] == ["Jawaharlal Nehru"]
    assert [m.name for m in people.find("the assassination of President Park Chung Hee.")] == ["Park Chung Hee"]


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
     [("author", "Vladimir Razuvaev"), ("recipient", "Aleksandr Vasilevsky"), ("recipient", "Andrey Vyshinsky"),
      ("participant", "Kim Il Sung"), ("participant", "Joseph Stalin")]),
    ("Telegram from Baku to Moscow, M.D. Bagriov and I.I. Maslennikov to Cdes. Stalin, Molotov, Beria, and Malenkov",
     [("author", "Mir Jafar Bagirov"), ("author", "Ivan Maslennikov"), ("recipient", "Joseph Stalin"),
      ("recipient", "Vyacheslav Molotov"), ("recipient", "Lavrentiy Beria"), ("recipient", "Georgy Malenkov")]),
    ("Letter No. 340 from L.D. Wilgress, Canadian Embassy, Moscow, to the Secretary of State for External Affairs, "
     "W.L. Mackenzie King",
     [("author", "Dana Wilgress"), ("recipient", "William Lyon Mackenzie King")]),
    ("Hand delivered note, Zhou Enlai to Stalin, conveying telegram From Mao Zedong to Zhou Enlai",
     [("author", "Zhou Enlai"), ("recipient", "Joseph Stalin"), ("participant", "Mao Zedong")]),
    ("Rezső Nyers’s Typed Notes to Miklós Németh on Gorbachev’s Briefing on the Malta Summit on 4 December",
     [("author", "Rezső Nyers"), ("recipient", "Miklós Németh"), ("participant", "Mikhail Gorbachev")]),
    ("Telegram 066764 from the Romanian Embassy in Pyongyang to the Romanian Ministry of Foreign Affairs, Pol Pot’s "
     "Visit to the DPRK",
     [("author", "Romanian Embassy in the DPRK"), ("recipient", "Romanian Ministry of Foreign Affairs"),
      ("participant", "Pol Pot")]),
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
        Participant("Nikita Khrushchev", "author", "person"),
        Participant("Zhou Enlai", "recipient", "person"),
        Participant("Mao Zedong", "participant", "person"),
        Participant("Joseph Stalin", "participant", "person"),
    ]


def test_participants_summary_central_committee_follows_the_title_country(people: PeopleDirectory) -> None:
    got = roles(people, "Cable, Mao Zedong to Filippov [Stalin]",
                "Mao Zedong informs the Central Committee of an important breakthrough.")
    assert got == [("author", "Mao Zedong"), ("recipient", "Joseph Stalin"), ("participant", "CCP Central Committee")]


def test_participants_of_a_title_without_names(people: PeopleDirectory) -> None:
    assert people.participants("Telegram from Pyongyang to Bucharest, SECRET, No. 059.057") == []


# ----------------------------------------------------------------------------------------------- the data file

# Every real person named in the seed pages' titles and summaries, as written there.
SEED_NAMES = [
    "I. Tugarinov", "B.N. Ponomarev", "Gromyko", "Liu Xiao", "Mao Zedong", "A.A. Gromyko", "Chiang Kai-shek",
    "Stalin", "Mao", "S.F. Antonov", "Antonov", "Zhou Enlai", "N.V. Roshchin", "Luo Ruiqing", "Nikita Khrushchev",
    "Khrushchev", "Zhou", "Erich Honecker", "Leonid Brezhnev", "Brezhnev", "Honecker", "V.M. Molotov", "Jing Tai",
    "Molotov", "Mikhail Gorbachev", "Deng Xiaoping", "Gorbachev", "Anastas Mikoyan", "Mikoyan", "Alekseev",
    "Fidel Castro", "Castro", "I.V. Stalin", "Andrey Vyshinsky", "Vyshinsky", "Filippov", "Semenov", "Vasilevsky",
    "Sokolovsky", "Roshchin", "Zhu De", "Liu Shaoqi", "Peng Dehuai", "Li Fuchun", "Su Yu", "Bak Uiwan", "Uiwan",
    "Kim Il Sung", "Dehuai", "P.F. Yudin", "Pavel F. Yudin", "Jawaharlal Nehru", "Nehru", "Zhou En-Lai",
    "Ja'far Pishevari", "Joseph Stalin", "Joseph V. Stalin", "J. V. Stalin", "Jerzy Michalowski", "V. V. Kuznetsov",
    "F. V. Mochulski", "Yu Zhan", "G.S. DOBASHIN", "Xin Lanting", "Mikhail Zimyanin", "Mikihail Zimyanin",
    "Brian Murray", "Jieshi", "Chairman Mao", "Chairman Mao Zedong",
]

# Others named on the real pages (shared/realpages), a sample across the archive's countries.
REAL_PAGE_NAMES = [
    "Pavel Yudin", "Chervonenko", "Tsevegmid", "Tsedenbal", "Luvsan", "Canming", "Kim Je-sook", "Park Chung Hee",
    "Le Duan", "Pham Van Dong", "Le Duc Tho", "Xuan Thuy", "Nguyen Duy Trinh", "Pham Hung", "Nguyen Van Hieu",
    "Nguyen Thi Binh", "Hoang Van Thai", "Ung Van Khiem", "Pham No Mach", "Ly Ban", "Mehmet Shehu", "Koci Xoxe",
    "A.G. Krymov", "Guo Zhaotang", "Li Xiannian", "Xie Fuzhi", "A.N. Kosygin", "Raul Castro", "Hoxha",
    "Enver Hoxha", "Reis Malile", "Dong Biwu", "Osman Batur", "Choibalsan", "Blas Roca", "K.V. Rusakov", "Kania",
    "Jaruzelski", "Gomulka", "Kadar", "Imre Nagy", "Rakosi", "Gero", "Rajk", "F. Munnich", "I. Horvath",
    "Chen Chu", "Kurt Waldheim", "Shen Jian", "Ernesto “Che” Guevara", "Pak Heon-yeong", "Pang Hak-se",
    "Kim Yeong-ju", "Henry Kissinger", "Lee Hu-rak", "Heo Dam", "Ri Yeong-ho", "Park Jeong-ae", "Pak Geum-cheol",
    "Jeong Pung-gye", "Zhang Hanfu", "Qiao Xiaoguang", "Puzanov", "A.M. Puzanov", "Shtykov", "Shytkov", "Kovalev",
    "Terebin", "Kuznetsov", "Filipov", "Flippov", "Feng Xi", "Fyn-Si", "Razuvaev", "Krasovsky", "Krasvosky",
    "Kozlov", "Roschin", "Vyshinskii", "Vyshinshy", "Zakharov", "Vasil'yev", "Poskrebyshevu", "Malenkov", "Beria",
    "Voroshilov", "Shicai Sheng", "Apresov", "Mohammad Emin Bugra", "Yolbars Khan", "Isa Yusuf Alptekin",
    "Deng Liqun", "Gao Gang", "Wang Jiaxiang", "Kang Sheng", "Peng Zhen", "Chen Yi", "Lin Biao", "Huang Kecheng",
    "Nie Rongzhen", "Zhang Wentian", "Jiang Qing", "Song Qingling", "Sun Yat-Sen", "Huang Zhen", "Huan Xiang",
    "Li Jusheng", "Peng Di", "Feng Xuan", "Yuan Zhongxin", "Ding Guoyu", "Zhang Qingfa", "Qiao Guanhua",
    "Wu Xiuquan", "Gong Pusheng", "Luo Shigao", "Ulanfu", "Zhao Ziyang", "Zhang Guotao", "Wang Ming", "Bai Chongxi",
    "Du Yuming", "Zhang Dingcheng", "Huang Huoxing", "Tan Zhen", "Xiao Ke", "Zhao Erlu", "Deng Zihui",
    "Deng Xioaping", "Chou En-lai", "Ho Chi Minh", "Ho Chi Mind", "Pol Pot", "Ieng Sary", "Prince Sihanouk",
    "Lon Nol", "U Nu", "U Thant", "Kukrit Pramoj", "Sukarno", "Sunario", "Su-wei-duo", "R.K. Nehru",
    "Ratan Kumar Nehru", "K.P.S. Menon", "Parthasarathy", "Raghavan", "Sarvepalli Radhakrishnan", "K.R. Narayanan",
    "J.S. Mehta", "Ayub Khan", "Ben Bella", "Nasser", "Siad Barre", "A.Y. Bishara", "Qavam os-Saltaneh",
    "Nader Arasteh", "Darakhshami", "N. M Taraki", "H. Amin", "K. Yasui", "Ohira", "Nakasone", "Katori",
    "Hertzfeldt", "Bergold", "Herklotz", "Siedliecky", "Oskar Fischer", "Johannes Koenig", "Kurt Hager",
    "Walter Ulbricht", "Helmut Kohl", "Adenauer", "H. Kroll", "Rudiger von Wechmar", "Lech Walesa", "Spychalski",
    "Rokossowski", "Mieczysław Białek", "Erzsébet Görög", "Rezső Nyers", "Miklós Németh", "Ezhef Sall",
    "Václav Pleskot", "Jan Pelnář", "Martin Dzúr", "Vasil Bil'ak", "Jaromír Hetteš", "J. Koscelanský", "Jan Pudlak",
    "Gheorghe Gheorghiu-Dej", "Nicolae Ceausescu", "Ion Gheorghe Maurer", "Paul Niculescu Mizil",
    "Gheorge Radulescu", "Emil Bodnăraş", "Aurel Duma", "Corneliu Manescu", "Nicolae Ecobescu", "George Macovescu",
    "Ion Udrea", "Bogdan", "Popa", "Lazar", "Urbany", "Dimitrov", "Tito", "Josip Broz Tito", "Hysni Kapo",
    "Beqir Balluku", "Ramiz Alia", "Kadri Hazbiu", "Xhoxhi Robo", "Abdyl Kellezi", "Abdyl Kelezi", "Liri Belishova",
    "Aranit Çela", "Sofikli Papavasili", "Rita Marko", "Tahmaz Beqari", "Manush", "Palmiro Togliatti",
    "Carlos Rafael Rodriguez", "Dorticós", "Inchaustegui", "de Gamboa", "John F. Kennedy", "President Nixon",
    "George H. W. Bush", "Hubert Humphrey", "John Leighton Stuart", "Acheson", "Truman", "Stevenson",
    "Alexis Johnson", "John M. Murphy", "McCloy", "William Attwood", "Robert Martens", "Buffum", "Malcolm Rifkind",
    "Macmillan", "F. Roberts", "Brian Mulroney", "L.D. Wilgress", "W.L. Mackenzie King", "Dag Hammarskjöld",
    "Poul Hartling", "Dalai Lama", "Marx", "Kim Il", "Lavrentii Beria", "G. K. Zhukov", "Ambassador Zhukov",
    "N. A. Bulganin", "R. Malinovsky", "S. P. Ivanov", "V.I. Ivanov", "K. A. Krutikov", "Mesyatsev", "Mesyastev",
    "Nikolai Mesyatse", "Vasily Pisarev", "I. V. Sadchikov", "M.D. Bagriov", "Mir Bagirov", "I.I. Maslennikov",
    "M.I. Basmanov", "B.K. Pimenov", "Y.D. Fadeev", "A. Putintsev", "V. Gorovoy", "A. M. Rumyantsev", "A. Pasiutin",
    "V. G. Dykusarov", "V[yacheslav] I. Kochemassov", "A. G. Kulazhenkov", "Prof. Pushkov", "Karsky", "Miklashevsky",
    "Andrei Grechko", "P. Shelest", "Konstantin Katushev", "O.B. Rakhmanin", "L. M. Zamyatin", "Yu. V. Andropov",
    "D.F. Ustinov", "Nikolai Shchelokov", "Mikhail Molyarov", "V.M. Falin", "Vadim Zagladin", "L.N. Tolkunov",
    "Alexei Adzhubei", "Pervukhin", "Vasilii Chuikov", "Vladimir Semyonov", "Zorin", "Dobrynin", "Suslov",
    "Fyodor Kuznetsov", "Andrei Orlov", "Natal’ya Gorbanevskaya", "Inna Korkhova", "Maiya Rusakovskaya",
    "Chimiddorj", "Yumjaagiin Tsedenbal", "Dondogiin Tsevegmid", "Li Byeongchan", "Chen Yi", "Kim Il-sung",
]


def test_every_person_named_in_the_sample_pages_resolves(people: PeopleDirectory) -> None:
    missing = [name for name in SEED_NAMES + REAL_PAGE_NAMES if people.resolve(name) is None]
    assert missing == []


def test_the_bundled_file_is_large_and_consistent(people: PeopleDirectory) -> None:
    persons = [e for e in people.entities if e.kind == "person"]
    bodies = [e for e in people.entities if e.kind == "organization"]
    assert len(persons) >= 150
    assert len(bodies) >= 25
    # No written form belongs to two entities (the loader refuses that; check the file itself too).
    raw = tomllib.loads(BUNDLED_FILE.read_text(encoding="utf-8"))
    owners: dict[str, str] = {}
    for row in raw["person"] + raw["organization"]:
        for alias in [row["name"], *row.get("aliases", [])]:
            key = name_key(alias).replace(" ", "")
            assert owners.setdefault(key, row["name"]) == row["name"], f"{alias!r} is claimed twice"
    # Deliberately absent: bare names that are ambiguous in this archive.
    for ambiguous in ("kim", "liu", "zhu", "li", "chen", "zhang", "wang", "peng", "deng", "su", "kennedy"):
        assert ambiguous not in owners


def test_alias_index_maps_folded_forms_to_canonical_names(people: PeopleDirectory) -> None:
    index = people.alias_index()
    assert index["a a gromyko"] == "Andrei Gromyko"
    assert index["chou en lai"] == "Zhou Enlai"
    assert index["ceausescu"] == "Nicolae Ceaușescu"
    assert index["cc cpsu"] == "CPSU Central Committee"
    assert all(name_key(e.name) in index for e in people.entities)


def test_get_returns_the_entity_with_its_details(people: PeopleDirectory) -> None:
    stalin = people.get("Joseph Stalin")
    assert stalin is not None and stalin.kind == "person" and stalin.country == "USSR"
    assert "Filippov" in stalin.aliases
    assert people.get("Stalin") is None  # get() takes canonical names only


# ----------------------------------------------------------------------------------------------- loading


def write(tmp_path: Path, text: str, name: str = "people.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[[person]]\nname = "Joseph Stalin"\naliases = ["Stalin" "Koba"]\n\n[[person]]\nname = "Mao"\n',
                 "broken-people.toml")
    with pytest.raises(PeopleFileError) as caught:
        PeopleDirectory.load(path)
    message = str(caught.value)
    assert "broken-people.toml" in message and "line 3" in message and "\n" not in message


def test_entry_without_a_name_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[person]]\nname = "Mao Zedong"\n\n[[person]]\naliases = ["Zhou"]\n')
    with pytest.raises(PeopleFileError, match=r"people\.toml.*#2 has no name"):
        PeopleDirectory.load(path)


def test_alias_claimed_by_two_entities_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[person]]\nname = "Joseph Stalin"\naliases = ["Kuznetsov"]\n\n'
                           '[[person]]\nname = "Vasily Kuznetsov"\naliases = ["kuznetsov"]\n')
    with pytest.raises(PeopleFileError, match=r"people\.toml.*'kuznetsov' is claimed by both 'Joseph Stalin' "
                                              r"and 'Vasily Kuznetsov'"):
        PeopleDirectory.load(path)


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[person]]\nname = "Mao Zedong"\nalias = ["Mao"]\n')
    with pytest.raises(PeopleFileError, match="unknown field"):
        PeopleDirectory.load(path)


def test_missing_file_is_a_people_file_error(tmp_path: Path) -> None:
    with pytest.raises(PeopleFileError, match="nowhere.toml"):
        PeopleDirectory.load(tmp_path / "nowhere.toml")


def test_environment_variable_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[[person]]\nname = "Mao Zedong"\naliases = ["Chairman Mao"]\n')
    monkeypatch.setenv("ARCHIVE_PEOPLE_FILE", str(path))
    small = PeopleDirectory.load()
    assert [e.name for e in small.entities] == ["Mao Zedong"]
    assert small.resolve("chairman mao") == "Mao Zedong"
    assert small.resolve("Stalin") is None
