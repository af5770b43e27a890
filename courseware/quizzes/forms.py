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
    review_policy = SelectField(_l("Pembahasan (kunci dan penjelasan) untuk peserta"), choices=[
        ("langsung", _l("Langsung setelah tes dikumpulkan")),
        ("setelah-ditutup", _l("Setelah jadwal tes ditutup")),
    ])

    def values(self) -> dict:
        return {"items_per_attempt": self.items_per_attempt.data,
                "time_limit_minutes": self.time_limit_minutes.data or None,
                "attempts_allowed": self.attempts_allowed.data or None,
                "counting": self.counting.data, "pass_mark": self.pass_mark.data,
                "review_policy": self.review_policy.data}

    def fill(self, settings) -> None:
        self.items_per_attempt.data = settings.items_per_attempt
        self.time_limit_minutes.data = settings.time_limit_minutes or 0
        self.attempts_allowed.data = settings.attempts_allowed or 0
        self.counting.data, self.pass_mark.data = settings.counting, settings.pass_mark
        self.review_policy.data = settings.review_policy


class WindowForm(SettingsForm):
    """A class's test window: when, and the settings that class sits the test under."""
    opens_at = DateTimeLocalField(_l("Dibuka"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(_l("Isi waktu buka (tanggal dan jam)."))])
    closes_at = DateTimeLocalField(_l("Ditutup"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Isi waktu tutup (tanggal dan jam)."))])
