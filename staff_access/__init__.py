"""How staff sign in to the admin: a second factor (django-otp) and a working day's session."""
