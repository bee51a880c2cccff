"""The "new customer" page: the account and the profile on one form, saved together."""

from django import forms
from django.contrib.auth import get_user_model, password_validation

from backoffice.models import Customer

User = get_user_model()


class CustomerCreationForm(forms.ModelForm):
    """Profile fields from the model, account fields declared here; ``account_data()`` feeds
    ``customer_create``. The password is optional: without one the customer sets it later."""

    username = forms.CharField(max_length=150, help_text=User._meta.get_field("username").help_text)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    password1 = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Optional. Empty: the account can't log in until the customer sets one.",
    )
    password2 = forms.CharField(
        label="Password confirmation",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Customer
        fields = ["phone", "address", "date_of_birth"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("An account with this username already exists.")
        return username

    def clean_email(self):
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists.")
        return email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first or second:
            if first != second:
                self.add_error("password2", "The two passwords differ.")
            else:
                account = User(
                    username=cleaned.get("username", ""),
                    email=cleaned.get("email", ""),
                    first_name=cleaned.get("first_name", ""),
                    last_name=cleaned.get("last_name", ""),
                )
                try:
                    password_validation.validate_password(first, account)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned

    def account_data(self) -> dict:
        data = self.cleaned_data
        return {
            "username": data["username"],
            "email": data["email"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "password": data.get("password1") or None,
        }
