from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class ClassForm(FlaskForm):
    name = StringField(_l("Nama kelas"), validators=[DataRequired(_l("Isi nama kelas.")), Length(max=60)],
                       render_kw={"placeholder": "XI OTKP 1"})
    academic_year = StringField(_l("Tahun ajaran"), validators=[DataRequired(_l("Isi tahun ajaran."))],
                                render_kw={"placeholder": "2026/2027"})


class RosterForm(FlaskForm):
    roster = FileField(_l("Berkas daftar peserta (CSV)"), validators=[FileRequired(_l("Pilih berkas CSV."))])


class JoinForm(FlaskForm):
    code = StringField(_l("Kode kelas"), validators=[DataRequired(_l("Isi kode kelas.")), Length(max=20)],
                       render_kw={"autocapitalize": "characters", "autocomplete": "off"})


class AddTraineeForm(FlaskForm):
    identifier = StringField(_l("NIS atau nama pengguna"), validators=[DataRequired(_l("Isi NIS atau nama pengguna.")),
                                                                       Length(max=40)],
                             render_kw={"autocapitalize": "none", "autocomplete": "off"})


class MemberForm(FlaskForm):
    full_name = StringField(_l("Nama lengkap"), validators=[DataRequired(_l("Isi nama lengkap.")), Length(max=120)])
    nis = StringField(_l("NIS"), validators=[DataRequired(_l("Isi NIS.")), Length(max=30)])
