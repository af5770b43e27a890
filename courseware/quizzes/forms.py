from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional


class SettingsForm(FlaskForm):
    items_per_attempt = IntegerField(_l("Jumlah soal per percobaan"),
                                     validators=[InputRequired(_l("Isi jumlah soal.")), NumberRange(1, 100)])
    time_limit_minutes = IntegerField(_l("Batas waktu (menit; 0 = tanpa batas)"),
                                      validators=[Optional(), NumberRange(0, 300)])
    attempts_allowed = IntegerField(_l("Jumlah percobaan (0 = tanpa batas)"),
                                    validators=[Optional(), NumberRange(0, 50)])
    counting = SelectField(_l("Nilai yang dihitung"),
                           choices=[("highest", _l("Nilai tertinggi")), ("last", _l("Nilai terakhir"))])
    pass_mark = IntegerField(_l("KKTP (nilai lulus, 0-100)"),
                             validators=[InputRequired(_l("Isi KKTP.")), NumberRange(0, 100)])


class WindowForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Dibuka"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(_l("Isi waktu buka (tanggal dan jam)."))])
    closes_at = DateTimeLocalField(_l("Ditutup"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Isi waktu tutup (tanggal dan jam)."))])
    review_policy = SelectField(_l("Pembahasan (kunci dan penjelasan) untuk peserta"), choices=[
        ("langsung", _l("Langsung setelah tes dikumpulkan")),
        ("setelah-ditutup", _l("Setelah jadwal tes ditutup")),
    ])
