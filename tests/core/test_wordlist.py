"""The word lists (live/core/wordlist.py): the shipped list catches insults however they are spelt,
never an ordinary question (2,000 and more, the demo's and others across the themes, with and
without diacritics), and survives every hostile string of the corpora as text and as an entry."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from corpora import naughty_strings

from live.core import wordlist
from live.core.errors import DomainError
from live.core.text import fold
from live.services import demo
from live.services import wordlist as service

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


@pytest.fixture(scope="module")
def shipped() -> wordlist.Compiled:
    return wordlist.compile_lists(service.shipped())


# ---------------------------------------------------------------- what a hostile asker writes


@pytest.mark.parametrize(
    ("text", "tier", "entry"),
    [
        ("Địt mẹ bọn lãnh đạo", "banned", "địt mẹ"),
        ("dit me", "banned", "địt mẹ"),
        ("DITME", "banned", "địt mẹ"),
        ("đ.m cái chính sách", "banned", "đm"),
        ("đ m", "banned", "đm"),
        ("D-M", "banned", "đm"),
        ("đmmmm", "banned", "đm"),
        ("vcl thật", "banned", "vcl"),
        ("vkllll", "banned", "vcl"),
        ("đkm", "banned", "đcm"),
        ("thằng ngu", "banned", "thằng ngu"),
        ("thang nguuuu", "banned", "thằng ngu"),
        ("n g u như bò", "banned", "ngu như bò"),
        ("Ngu Như Lợn", "banned", "ngu như lợn"),
        ("vãi l0n", "banned", "vãi lồn"),
        ("con mẹ m", "banned", "con mẹ mày"),
        ("mẹ mầy", "banned", "mẹ mày"),
        ("f.u.c.k y.o.u", "banned", "fuck you"),
        ("FUCK YOUUU", "banned", "fuck you"),
        ("ngu ngok", "suspect", "ngu ngốc"),
        ("đồ súc vật", "suspect", "súc vật"),
        ("inbox em nhé", "suspect", "inbox"),
        ("ib mình", "suspect", "ib"),
        ("kiem tien onl1ne tai nha", "suspect", "kiếm tiền online"),
        ("xem https://bit.ly/abc", "suspect", "bit.ly"),
        ("việc nhẹ lương caooo", "suspect", "việc nhẹ lương cao"),
    ],
)
def test_the_shipped_list_catches_every_spelling(shipped, text, tier, entry):
    assert entry in shipped.match(text).get(tier, []), shipped.match(text)


def test_a_question_with_both_tiers_names_each_once(shipped):
    found = shipped.match("ĐM, đ.m, dmmm, inbox ngay, INBOX")
    assert found == {"banned": ["đm"], "suspect": ["inbox"]}


def test_a_clean_question_has_no_key_at_all(shipped):
    assert shipped.match("Tỉnh có học bổng cho sinh viên không ạ?") == {}
    # "ph" is "f" in teen code: "hạnh phúc" reads "fuc", which is why "fuck" is listed only in phrases
    assert shipped.match("Hạnh phúc của thanh niên ở xã Hạnh Phúc, Cao Bằng FC") == {}


# ---------------------------------------------------------------- whole words and the allow-list


def test_whole_words_only_and_the_allow_list_wins():
    lists = {
        "banned": ["dục", "đụ", "cận", "lồn"],
        "suspect": ["bằng"],
        "allow": ["giáo dục", "du lịch", "tiếp cận", "Cao Bằng"],
    }
    found = wordlist.compile_lists(lists)
    assert found.match("Giáo dục và du lịch ở Cao Bằng, tiếp cận vốn") == {}
    assert found.match("GIAO DUC, du lich, cao bang, tiep can") == {}
    assert found.match("dục vọng") == {"banned": ["dục"]}  # outside an allowed phrase: caught
    assert found.match("bằng lái") == {"suspect": ["bằng"]}
    # whole words: "lồn" is no part of "lồng đèn" nor "Pác Lồng"
    assert found.match("lồng đèn ở Pác Lồng") == {}


def test_an_entry_in_both_tiers_is_banned():
    found = wordlist.compile_lists({"banned": ["abc xyz"], "suspect": ["ABC  XYZ", "khác"], "allow": []})
    assert found.counts() == {"banned": 1, "suspect": 1, "allow": 0}
    assert found.match("abc xyz khác") == {"banned": ["abc xyz"], "suspect": ["khác"]}


def test_teen_code_spellings_meet():
    same = [("nguuuu", "ngu"), ("ng0", "ngo"), ("n.g.u", "ngu"), ("fải", "phải"), ("wá", "quá"), ("zậy", "dậy"),
            ("dzậy", "dậy"), ("jì", "gì"), ("kon", "con"), ("đc", "được"), ("ko", "không"), ("yêu", "iêu")]  # fmt: skip
    for teen, plain in same:
        assert wordlist.words(teen) == wordlist.words(plain), (teen, plain)
    assert wordlist.words("Tỉnh Cao Bằng năm 2026 có 4G") == ["tinh", "cao", "bang", "nam", "2026", "co", "ag"]


# ---------------------------------------------------------------- the lists as the secretariat types them


def test_lines_are_trimmed_merged_and_checked():
    typed = " Địt  mẹ \n\ndit me\nDỊT MẸ\nvcl\r\n"
    assert wordlist.parse_lines(typed.replace("\r\n", "\n"), "banned") == ["Địt mẹ", "vcl"]
    decomposed = "Đi\u0323t"  # a VNI keyboard's combining dot below
    assert wordlist.parse_lines(decomposed, "banned") == ["Địt"]
    with pytest.raises(DomainError) as err:
        wordlist.parse_lines("ok\n" + "x" * 61, "suspect")
    assert (err.value.code, err.value.params["line"]) == ("wordlist.too_long", 2)
    with pytest.raises(DomainError) as err:
        wordlist.parse_lines("một hai ba bốn năm sáu bảy", "banned")
    assert err.value.code == "wordlist.too_many_words"
    with pytest.raises(DomainError) as err:
        wordlist.parse_lines("ok\n!!! ???", "allow")
    assert (err.value.code, err.value.params["line"]) == ("wordlist.no_letters", 2)
    with pytest.raises(DomainError) as err:
        wordlist.parse_lines("\n".join(f"từ {n}" for n in range(wordlist.MAX_ENTRIES + 1)), "banned")
    assert err.value.code == "wordlist.too_many"
    with pytest.raises(DomainError):
        wordlist.parse_lines(None, "banned")


def test_the_shipped_file_reads():
    lists = service.shipped()
    assert len(lists["banned"]) >= 20 and len(lists["suspect"]) >= 10 and len(lists["allow"]) >= 20
    for phrase in ("du lịch", "giáo dục", "tiếp cận", "Cao Bằng"):
        assert phrase in lists["allow"]


# ---------------------------------------------------------------- hostile input


def _hostile() -> list[str]:
    strings = list(naughty_strings())
    for path in sorted(CORPORA.glob("*/*.txt")):
        strings.extend(line for line in path.read_text(encoding="utf-8").split("\n") if line)
    return list(dict.fromkeys(strings))


def test_every_hostile_string_as_a_question_and_as_an_entry(shipped):
    hostile = _hostile()
    assert len(hostile) > 1000
    for text in hostile:
        found = shipped.match(text)
        assert set(found) <= {"banned", "suspect"} and all(found.values()), text
    # each as an entry the secretariat typed: refused with a code, or accepted and then found in itself
    accepted = []
    for text in hostile:
        try:
            accepted.extend(wordlist.parse_lines(text, "banned"))
        except DomainError as error:
            assert error.code.startswith("wordlist."), text
    assert len(accepted) > 100
    lists = wordlist.compile_lists({"banned": accepted, "suspect": [], "allow": []})
    for entry in accepted:
        assert lists.match(entry).get("banned"), entry


# ---------------------------------------------------------------- no false hit on ordinary questions

OPENINGS = ["", "Kính thưa đồng chí Chủ tịch, ", "Em xin hỏi: ", "Cho em hỏi ", "Thưa lãnh đạo tỉnh, "]
ASKED = [
    # education, vocational training, scholarships
    "tỉnh có học bổng cho sinh viên nghèo học đại học không ạ?",
    "thanh niên bỏ học sớm muốn học nghề thì đăng ký ở đâu?",
    "khi nào trường em có thêm giáo viên tiếng Anh?",
    "giáo dục giới tính trong trường học được triển khai thế nào?",
    "học sinh vùng cao có được hỗ trợ tiền ăn ở bán trú không?",
    "tỉnh có kế hoạch xây ký túc xá cho học sinh dân tộc nội trú không?",
    "du học sinh trở về tỉnh làm việc có chính sách thu hút không?",
    "thể dục thể thao trong trường có được đầu tư thêm sân bãi không?",
    "em muốn học ngành điều dưỡng, tỉnh có đặt hàng đào tạo không?",
    "các lớp dạy nghề miễn phí cho thanh niên nông thôn mở vào tháng mấy?",
    # jobs, start-ups, loans
    "thanh niên khởi nghiệp được vay vốn ưu đãi bao nhiêu?",
    "xuất khẩu lao động sang Nhật Bản có an toàn không, tỉnh hỗ trợ thế nào?",
    "thủ tục vay vốn Ngân hàng Chính sách xã hội có cần thế chấp không?",
    "tỉnh có hỗ trợ thanh niên bán nông sản trên sàn thương mại điện tử không?",
    "làm sao để hợp tác xã của thanh niên tiếp cận vốn và thị trường?",
    "bộ đội xuất ngũ về địa phương được hỗ trợ tìm việc làm ra sao?",
    "đội ngũ cán bộ trẻ được đào tạo, bồi dưỡng như thế nào?",
    "lao động tự do có được tham gia bảo hiểm xã hội tự nguyện không?",
    "tỉnh có mở thêm khu công nghiệp để thanh niên không phải đi làm xa không?",
    "em muốn mở quán cà phê sách ở xã, cần giấy phép gì?",
    # digital transformation, science, infrastructure
    "khi nào sóng 4G phủ đến các thôn vùng sâu?",
    "thanh niên có thể tham gia tổ công nghệ số cộng đồng như thế nào?",
    "tỉnh có cuộc thi ý tưởng sáng tạo khoa học kỹ thuật cho học sinh không?",
    "dịch vụ công trực tuyến còn khó dùng, tỉnh có hướng dẫn cho người dân không?",
    "đường vào bản em mùa mưa bị sạt lở, khi nào được sửa?",
    "điện lưới quốc gia bao giờ kéo về đến xóm em?",
    "bộ máy chính quyền hai cấp mới có làm thủ tục nhanh hơn không?",
    "làm căn cước công dân gắn chip cho người già ở xa thế nào?",
    # health
    "trạm y tế xã thiếu bác sĩ, tỉnh có chính sách thu hút không?",
    "thanh niên nghiện game và mạng xã hội thì được tư vấn ở đâu?",
    "làm thế nào để phòng chống ma tuý trong học sinh?",
    "giấc ngủ của học sinh ôn thi bị ảnh hưởng, trường có tư vấn tâm lý không?",
    "bảo hiểm y tế học sinh sinh viên năm nay mức đóng bao nhiêu?",
    "phụ nữ mang thai ở vùng cao được khám thai miễn phí không?",
    # culture, tourism, sport
    "du lịch cộng đồng ở thác Bản Giốc có hỗ trợ thanh niên làm homestay không?",
    "tỉnh có giữ gìn hát Then, đàn Tính của người Tày, Nùng không?",
    "du khách đến Pác Bó ngày càng đông, thanh niên làm hướng dẫn viên được đào tạo ở đâu?",
    "nhà văn hoá thôn xuống cấp, khi nào được sửa chữa?",
    "giải bóng đá thanh niên các xã có tổ chức hằng năm không?",
    "lễ hội Lồng Tồng năm nay tổ chức ở đâu?",
    "tỉnh có hỗ trợ làm đèn lồng và đồ thủ công cho du khách không?",
    "di tích lịch sử du kích Pác Bó được trùng tu thế nào?",
    # agriculture, environment
    "trồng hạt dẻ Trùng Khánh có được hỗ trợ giống không?",
    "nuôi bò vỗ béo cần vốn bao nhiêu, có được vay không?",
    "rác thải nhựa ở chợ phiên xử lý thế nào?",
    "cây thạch đen và thuốc lá có đầu ra ổn định không?",
    "tỉnh có chương trình trồng rừng cho thanh niên không?",
    "đất sản xuất ở Bảo Lạc ít, thanh niên làm gì để thoát nghèo?",
    "hộ cận nghèo có được miễn học phí không?",
    "ô nhiễm sông Bằng Giang có được xử lý không?",
    # society, law, youth union
    "làm thế nào để phòng chống lừa đảo trên mạng?",
    "tảo hôn ở vùng cao còn nhiều, tỉnh có giải pháp gì?",
    "bạo lực học đường được xử lý ra sao?",
    "thanh niên tình nguyện mùa hè năm nay có những hoạt động gì?",
    "Đoàn thanh niên có thể giám sát việc sử dụng vốn vay không?",
    "người khuyết tật có được ưu tiên học nghề không?",
    "khi nào có nhà ở xã hội cho công nhân trẻ?",
    "xe buýt từ trung tâm tỉnh về các xã có tăng chuyến không?",
    "con em đồng bào có được cộng điểm khi thi tuyển công chức không?",
    "cán bộ xã làm việc chậm, tham nhũng vặt thì báo ở đâu?",
    "tỉnh có đường dây nóng tiếp nhận phản ánh của thanh niên không?",
    "việc làm bán thời gian cho sinh viên có an toàn không?",
    "cây con giống do nhà nước cấp có chất lượng không ạ?",
    "chợ phiên Trà Lĩnh có được quy hoạch lại không?",
    "các thôn ở Hà Quảng, Hạ Lang khi nào có nước sạch?",
    "Thanh niên Thạch An muốn làm du lịch trải nghiệm thì cần gì?",
]
TEEN = [
    "e muon hoi ve hoc bong cho sv ngheo dc ko a",
    "cho e hoi tinh co ho tro vay von khoi nghiep k a",
    "sao song 4g o ban e yeu qua z a",
    "bao jo thi co duong nhua ve xa e a",
    "e thay ca phe o cao bang ngon wa, co ho tro ban online ko",
    "hoc nghe xong co dc gioi thieu viec lam ko ak",
    "a oi cho e hoi thu tuc lam cccd o dau vay",
    "tinh co ke hoach gi cho thanh nien bo hoc ko z",
    "hs vung cao di hoc xa wa, co xe dua don ko a",
    "sv ra truong ve que lam viec dc ho tro j ko a",
    "du lich cong dong o Pac Bo co can nguoi huong dan ko a",
    "giao duc gioi tinh cho hs thcs co dc day ko a",
    "e muon hoc IT thi tinh co lop mien phi ko",
    "lam sao de tiep can von vay uu dai a",
    "doi ngu giao vien o truong e thieu qua a",
]


def ordinary_questions() -> list[str]:
    """The demo's questions, and these questions asked from each commune, with and without diacritics."""
    found = [text for _theme, _site, text, _name, _group in demo.FROM_HOME]
    found += [row[0] for _branch, _site, rows in demo.BRANCHES for row in rows]
    communes = [c["name"] for c in demo.communes()]
    places = itertools.cycle(communes)
    for asked, opening in itertools.product(ASKED, OPENINGS):
        for place in itertools.islice(places, 6):  # asked from six communes each, every commune in turn
            found.append(f"{opening}Em ở {place}, {asked}" if opening else f"Ở {place}, {asked}")
    found += TEEN
    found += [f"e o {c.lower()}, {t}" for c, t in zip(communes, itertools.cycle(TEEN))]
    return list(dict.fromkeys(found))


def test_no_ordinary_question_is_caught(shipped):
    questions = ordinary_questions()
    assert len(questions) >= 2000
    # every question twice more: as typed without diacritics, and in capitals
    corpus = list(dict.fromkeys(questions + [fold(q) for q in questions] + [q.upper() for q in questions]))
    caught = {q: shipped.match(q) for q in corpus if shipped.match(q)}
    assert caught == {}
