from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(_l("Isi nama pengguna.")), Length(max=40)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(_l("Isi kata sandi."))])
    remember = BooleanField(_l("Ingat saya di perangkat ini"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired(_l("Isi kata sandi saat ini."))])
    new = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(_l("Isi kata sandi baru."))])
    confirm = PasswordField(_l("Ulangi kata sandi baru"), validators=[DataRequired(_l("Ulangi kata sandi baru."))])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices():
    return [("admin", _l("Admin")), ("teacher", _l("Guru")), ("trainee", _l("Peserta")), ("assessor", _l("Asesor"))]


class UserCreateForm(FlaskForm):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(_l("Isi nama pengguna.")), Length(max=40)])
    full_name = StringField(_l("Nama lengkap"), validators=[DataRequired(_l("Isi nama lengkap.")), Length(max=120)])
    nis = StringField(_l("NIS (khusus peserta, boleh kosong)"), validators=[Optional(), Length(max=30)])
    roles = MultiCheckboxField(_l("Peran"), choices=role_choices(),
                               validators=[DataRequired(_l("Pilih minimal satu peran."))])


class UserRolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Peran"), choices=role_choices(),
                               validators=[DataRequired(_l("Pilih minimal satu peran."))])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""


class IdentityForm(FlaskForm):
    full_name = StringField(_l("Nama lengkap"), validators=[DataRequired(_l("Isi nama lengkap.")), Length(max=120)])
    nis = StringField(_l("NIS (khusus peserta)"), validators=[Optional(), Length(max=30)])


class LanguageForm(FlaskForm):
    # The two names stay in their own language (i18n.LANGUAGE_NAMES): whoever cannot read the
    # current interface still finds their own.
    language = RadioField(_l("Bahasa antarmuka"), choices=[("id", "Bahasa Indonesia"), ("en", "English")],
                          validators=[DataRequired(_l("Pilih bahasa."))])
