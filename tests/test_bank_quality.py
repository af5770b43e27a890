"""`flask content check` enforces the countable bank rules (courseware/bank/quality.py).

Each rule is attacked with a small synthetic bank written into a private CONTENT_ROOT (the
lessons, sheets and quiz definitions are copied unchanged, so only the bank can fail); the
same synthetic bank without the break passes, and so does the shipped bank.
"""
import random
import re
import shutil
from pathlib import Path

import pytest
import yaml

from courseware.bank import quality
from courseware.bank.loader import read_bank
from courseware.bank.models import KUKS

PROJECT = Path(__file__).resolve().parents[1]
WORDS = ("petugas loket warga antrean berkas surat kurir paket gudang admin pesan tamu kamar resepsionis "
         "legalisasi ijazah alumni kelurahan samsat pajak formulir aplikasi jadwal laporan keluhan saran "
         "survei rapat pimpinan staf stok pesanan pelanggan layanan standar catatan log kabar janji harga "
         "ongkos kiriman printer telepon loket2 ruang tunggu kursi papan pengumuman situs media sosial "
         "konfirmasi tanda terima nomor rekening sekolah hotel toko katering konveksi sablon tumbler").split()


def _run(app, root):
    app.config["CONTENT_ROOT"] = str(root)
    return app.test_cli_runner().invoke(args=["content", "check"])


def _item(kuk, n, pool, rng, key_letter):
    return {
        "id": f"{kuk}-{n:02d}",
        "pool": pool,
        "level": "penerapan",
        "stem": " ".join(rng.sample(WORDS, 14)).capitalize() + "?",
        # Four options of equal length: no key is the strictly longest.
        "options": [f"Tindakan {letter} untuk kasus {kuk}-{n:02d}" for letter in "ABCD"],
        "key": key_letter,
        "explanation": "Pembahasan singkat.",
    }


def _synthetic_bank():
    """{kuk: [items]} meeting every minimum exactly: 7 (10 critical) ujian and 4 latihan."""
    rng = random.Random(46)
    bank, count = {}, 0
    for kuk in KUKS:
        ujian = quality.MIN_UJIAN_CRITICAL if kuk in quality.CRITICAL_KUKS else quality.MIN_UJIAN
        pools = ["ujian"] * ujian + ["latihan"] * quality.MIN_LATIHAN
        bank[kuk] = []
        for n, pool in enumerate(pools, start=1):
            bank[kuk].append(_item(kuk, n, pool, rng, "ABCD"[count % 4]))
            count += 1
    return bank


def _write(root, bank):
    folder = root / "quizzes" / "bank"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for kuk, items in bank.items():
        text = yaml.safe_dump({"kuk": kuk, "items": items}, allow_unicode=True, sort_keys=False)
        (folder / f"kuk-{kuk.replace('.', '-')}.yml").write_text(text, encoding="utf-8")


@pytest.fixture
def root(tmp_path):
    """A CONTENT_ROOT with the shipped lessons, sheets and quiz definitions, and no bank yet."""
    base = tmp_path / "root"
    shutil.copytree(PROJECT / "content", base / "content")
    shutil.copytree(PROJECT / "checklists", base / "checklists")
    (base / "quizzes").mkdir()
    shutil.copy(PROJECT / "quizzes" / "quizzes.yml", base / "quizzes" / "quizzes.yml")
    return base


@pytest.fixture
def bank():
    return _synthetic_bank()


def test_shipped_bank_passes_and_prints_the_quality_figures(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Soal per pool dan KUK:" in out
    for kuk in KUKS:
        row = re.search(rf"^\s+{re.escape(kuk)}\s+(\d+)\s+(\d+)\s+(\d+)$", out, re.M)
        ujian, latihan, total = map(int, row.groups())
        assert ujian >= (10 if kuk in ("2.1", "2.5") else 7) and latihan >= 4 and total == ujian + latihan
    share = int(re.search(r"Kunci = pilihan terpanjang: \d+ dari \d+ soal \((\d+)%\)", out).group(1))
    assert share <= 30
    assert "Kata mutlak di pilihan salah: 0" in out
    items, problems, _info = read_bank(PROJECT)
    assert problems == [] and len(items) >= 110
    assert quality.quality_report(items)[0] == []


def test_synthetic_bank_passes(app, root, bank):
    _write(root, bank)
    result = _run(app, root)
    assert result.exit_code == 0, result.output
    assert "Kata mutlak di pilihan salah: 0" in result.output


def test_too_few_items_in_a_pool_fails(app, root, bank):
    bank["2.3"] = [i for i in bank["2.3"] if i["id"] != "2.3-11"]          # latihan 4 -> 3
    bank["2.5"] = [i for i in bank["2.5"] if i["id"] != "2.5-01"]          # critical ujian 10 -> 9
    _write(root, bank)
    result = _run(app, root)
    assert result.exit_code != 0
    assert "KUK 2.3: pool latihan hanya 3 soal, minimal 4." in result.output
    assert "KUK 2.5: pool ujian hanya 9 soal, minimal 10." in result.output


def test_missing_or_unknown_pool_and_level_fail_naming_file_and_id(app, root, bank):
    del bank["1.1"][0]["pool"]
    bank["1.1"][1]["pool"] = "tes"
    bank["2.6"][0]["level"] = "hafalan"
    _write(root, bank)
    result = _run(app, root)
    assert result.exit_code != 0
    for uid in ("1.1-01", "1.1-02"):
        assert f"kuk-1-1.yml {uid}: Kelompok soal (pool) harus 'ujian'" in result.output
    assert "kuk-2-6.yml 2.6-01: level harus salah satu dari: ingatan, penerapan, analisis (ada: hafalan)." \
        in result.output


def test_key_longest_too_often_fails(app, root, bank):
    items = [i for kuk in KUKS for i in bank[kuk]]
    for item in items[: int(len(items) * 0.31) + 1]:
        k = "ABCD".index(item["key"])
        item["options"][k] += " dengan kabar kepada pelanggan"
    _write(root, bank)
    result = _run(app, root)
    assert result.exit_code != 0
    assert re.search(r"Kunci adalah pilihan terpanjang pada \d+ dari 116 soal \(3[1-9]%\), maksimal 30%.",
                     result.output)


def test_absolute_word_only_in_a_wrong_option_fails(app, root, bank):
    item = bank["1.4"][2]                                   # key "ABCD"[?]; make B wrong and absolute
    item["key"] = "A"
    item["options"][1] = "Tindakan B yang selalu dipakai kasus"
    shared = bank["2.2"][3]                                 # the key uses the same word: allowed
    shared["key"] = "C"
    shared["options"][2] = "Hanya tindakan C untuk kasus 2.2"
    shared["options"][0] = "Hanya tindakan A untuk kasus 2.2"
    _write(root, bank)
    result = _run(app, root)
    assert result.exit_code != 0
    assert '1.4-03: pilihan B memuat kata mutlak "selalu" yang tidak ada di kunci.' in result.output
    assert "2.2-04: pilihan" not in result.output
    assert "Kata mutlak di pilihan salah: 2" in result.output


def test_identical_and_near_duplicate_stems_fail(app, root, bank):
    base = bank["1.2"][0]["stem"]
    bank["2.4"][5]["stem"] = base.upper().replace(" ", ",  ").rstrip("?") + "!"   # same after normalising
    long_stem = ("Petugas loket Kelurahan Sukamaju mencatat waktu tunggu setiap warga selama seminggu dan "
                 "menemukan rata-rata dua puluh dua menit padahal standarnya lima belas menit. Apa langkahnya?")
    bank["1.3"][0]["stem"] = long_stem
    bank["2.1"][0]["stem"] = long_stem.replace("seminggu", "sebulan")                # one word changed
    _write(root, bank)
    result = _run(app, root)
    assert result.exit_code != 0
    assert "2.4-06: pertanyaan hampir sama dengan soal 1.2-01 (kemiripan 100%)." in result.output
    assert re.search(r"2\.1-01: pertanyaan hampir sama dengan soal 1\.3-01 \(kemiripan 9\d%\)\.", result.output)


def test_too_few_applied_ujian_items_fails(app, root, bank):
    ujian = [i for kuk in KUKS for i in bank[kuk] if i["pool"] == "ujian"]
    for item in ujian[: len(ujian) // 2]:
        item["level"] = "ingatan"
    for item in (i for kuk in KUKS for i in bank[kuk] if i["pool"] == "latihan"):
        item["level"] = "ingatan"                          # practice items do not count toward the share
    _write(root, bank)
    result = _run(app, root)
    assert result.exit_code != 0
    assert "Soal ujian tingkat penerapan/analisis hanya 38 dari 76 (50%), minimal 60%." in result.output
    assert "Tingkat soal ujian: ingatan 38 (50%), penerapan 38 (50%), analisis 0 (0%)" in result.output
