from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from .models import KUKS
from .validation import LETTERS, MAX_OPTION, MAX_STEM

OPTION_FIELDS = [f"option_{letter.lower()}" for letter in LETTERS]
POOL_CHOICES = [("ujian", _l("Ujian: hanya untuk tes tertulis (kunci dirahasiakan)")),
                ("latihan", _l("Latihan: hanya untuk kuis latihan (kunci tampil setelah menjawab)"))]


class QuestionForm(FlaskForm):
    """The editor's fields; the rules themselves live in validation.validate_item."""
    kuk = SelectField(_l("KUK"), choices=[(k, f"KUK {k}") for k in KUKS],
                      validators=[DataRequired(_l("Pilih KUK."))], validate_choice=False)
    pool = RadioField(_l("Kelompok soal"), choices=POOL_CHOICES, default="ujian",
                      validators=[DataRequired(_l("Pilih kelompok soal: ujian atau latihan."))])
    level = SelectField(_l("Tingkat kognitif"), default="penerapan", choices=[
        ("ingatan", _l("Ingatan (mengenali atau mengingat)")),
        ("penerapan", _l("Penerapan (kasus kerja: apa yang dilakukan)")),
        ("analisis", _l("Analisis (menilai atau menemukan penyebab)"))])
    stem = TextAreaField(_l("Pertanyaan"), validators=[DataRequired(_l("Isi pertanyaan.")), Length(max=MAX_STEM)],
                         render_kw={"rows": 5})
    option_a = TextAreaField(_l("Pilihan A"), validators=[Length(max=MAX_OPTION)], render_kw={"rows": 2})
    option_b = TextAreaField(_l("Pilihan B"), validators=[Length(max=MAX_OPTION)], render_kw={"rows": 2})
    option_c = TextAreaField(_l("Pilihan C"), validators=[Length(max=MAX_OPTION)], render_kw={"rows": 2})
    option_d = TextAreaField(_l("Pilihan D"), validators=[Length(max=MAX_OPTION)], render_kw={"rows": 2})
    option_e = TextAreaField(_l("Pilihan E (boleh kosong)"), validators=[Length(max=MAX_OPTION)],
                             render_kw={"rows": 2})
    option_f = TextAreaField(_l("Pilihan F (boleh kosong)"), validators=[Length(max=MAX_OPTION)],
                             render_kw={"rows": 2})
    key = RadioField(_l("Kunci jawaban"), choices=[(letter, letter) for letter in LETTERS],
                     validators=[DataRequired(_l("Pilih kunci jawaban."))], validate_choice=False)
    explanation = TextAreaField(_l("Pembahasan"), validators=[DataRequired(_l("Isi pembahasan.")),
                                                              Length(max=MAX_STEM)], render_kw={"rows": 4})

    def option_values(self) -> list[str]:
        return [getattr(self, name).data or "" for name in OPTION_FIELDS]

    def fill_from(self, question) -> None:
        self.kuk.data, self.stem.data, self.explanation.data = question.kuk, question.stem, question.explanation
        self.pool.data, self.level.data = question.pool, question.level
        for name, option in zip(OPTION_FIELDS, question.options):
            getattr(self, name).data = option.text
            if option.is_key:
                self.key.data = LETTERS[option.position] if option.position < len(LETTERS) else None


class ImportForm(FlaskForm):
    gift_file = FileField(_l("Berkas GIFT (.txt / .gift) atau Moodle XML (.xml)"),
                          validators=[FileRequired(_l("Pilih berkas GIFT atau Moodle XML."))])
    kuk = SelectField(_l("KUK bawaan"), choices=[("", _l("Dari kategori berkas"))] + [(k, f"KUK {k}") for k in KUKS],
                      default="")
    # No default: whether imported items may show their keys in practice is a choice, never a guess.
    pool = RadioField(_l("Masukkan ke kelompok soal"), choices=POOL_CHOICES,
                      validators=[DataRequired(_l("Pilih kelompok soal tujuan: ujian atau latihan."))])
