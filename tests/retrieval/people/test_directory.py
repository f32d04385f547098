"""The directory's lookups on the archive's own wording: spellings, suggestions, the alias index, get."""
from __future__ import annotations

import pytest

from retrieval.people import PeopleDirectory, name_key

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


# ----------------------------------------------------------------------------------------------- lookups

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
