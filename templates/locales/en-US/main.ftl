brand = Agora
skip-to-content = Skip to content
nav-label = Main
nav-home = Home
nav-me = My account
nav-logout = Sign out
nav-login = Sign in
nav-signup = Sign up
footer-language = Language:
footer-tagline = Agora connects you with trusted service partners. We share your details only when you say so.
form-error-summary = Please correct the following
actions = Actions
save = Save

## Error pages
error-request-id = Reference: { $id }
error-home-link = Back to the home page
error-400-title = That request could not be understood
error-400-text = Something in what was sent was not valid. Please go back and try again.
error-403-title = Not allowed
error-403-text = You are not allowed to do that, or the form had expired. Reload the page and try again.
error-404-title = Page not found
error-404-text = There is nothing here, or you may not see it.
error-405-title = Not allowed here
error-405-text = This address does not accept that kind of request.
error-409-title = Changed meanwhile
error-409-text = Someone changed this while you were working. Reload the page and try again.
error-413-title = Too much data
error-413-text = What you sent is larger than we accept.
error-429-title = Too many attempts
error-429-text = Please wait a little and try again.
error-500-title = Something went wrong
error-500-text = We could not finish your request. It has been logged; please try again in a moment.
error-503-title = Busy right now
error-503-text = The service is busy. Please try again in a moment.

## Home
home-title = Welcome
home-heading = Services from partners you can trust
home-lead = Find a service, ask for it in one click, and decide yourself what each partner may know about you.
home-signed-in = Signed in as { $name }.
home-latest = New on Agora
home-empty = No services are published yet.

## Fields and form errors
field-email = Email address
field-display-name = Your name
field-password = Password
field-new-password = New password
field-confirm-password = Repeat the new password
field-current-password = Current password
field-language = Language
language-auto = As my browser prefers
password-hint = At least 12 characters. A few unrelated words make a strong, memorable password.
error-email-required = Enter your email address.
error-email-invalid = Enter an email address like name@example.com.
error-name-required = Enter your name.
error-name-too-long = Names can be at most 80 characters.
error-name-invalid = The name contains characters that are not allowed.
error-password-short = The password must have at least 12 characters.
error-password-long = The password can have at most 256 characters.
error-password-common = This password is too common. Choose another one.
error-password-required = Enter your password.
error-password-mismatch = The two passwords differ.
error-current-password = The current password is not right.
error-locale-invalid = Choose one of the languages offered.

## Sign-up and verification
signup-title = Create your account
signup-submit = Create account
signup-have-account = Already have an account?
signup-done-title = Check your email
signup-done-text = We have sent a message to the address you gave. Open the link in it to confirm your address, then sign in.
verify-resend-link = Did not get the email?
verify-resend-title = Send the confirmation email again
verify-resend-intro = Enter the address you signed up with and we will send a new link.
verify-resend-submit = Send a new confirmation link
verify-resent-title = Check your email
verify-resent-text = If an unconfirmed account uses that address, a new confirmation link is on its way.
verify-done-title = Email address confirmed
verify-done-text = Thank you. Your address is confirmed and you can now sign in.
verify-invalid-title = This link does not work
verify-invalid-text = The confirmation link is wrong, was already used, or has expired. You can ask for a new one.

## Sign-in
login-title = Sign in
login-submit = Sign in
login-forgot = Forgot your password?
login-no-account = Create an account
login-failed = The email address or password is not right.
login-unverified = Please confirm your email address first: open the link we emailed you.
login-throttled = { $minutes ->
    [one] Too many failed sign-ins. Please try again in a minute.
   *[other] Too many failed sign-ins. Please try again in { $minutes } minutes.
}
login-welcome = Welcome back, { $name }.

## Passwords
forgot-title = Reset your password
forgot-intro = Enter your email address and we will send you a link to choose a new password.
forgot-submit = Send reset link
forgot-done-title = Check your email
forgot-done-text = If an account uses that address, a link to reset the password is on its way. It works for one hour.
reset-title = Choose a new password
reset-submit = Set new password
reset-invalid-title = This reset link does not work
reset-invalid-text = The link is wrong, was already used, or has expired. You can ask for a new one.
reset-done = Your password was changed and you were signed out everywhere. Sign in with the new password.
password-change-intro = Changing your password signs you out on every other device.
password-change-submit = Change password
password-changed = Your password was changed. Other sessions were signed out.

## Account
me-title = My account
me-heading = Hello, { $name }
me-member-since = member since { $date }
me-profile = Profile
me-password = Password
me-sessions = Where you are signed in
profile-saved = Your profile was saved.
sessions-count = { $count ->
    [one] You are signed in in one place.
   *[other] You are signed in in { $count } places.
}
sessions-device = Browser
sessions-ip = Address
sessions-started = Signed in
sessions-last-seen = Last active
sessions-unknown = Unknown browser
sessions-this = This browser
sessions-end = Sign out there
sessions-end-others = Sign out everywhere else
sessions-ended = { $count ->
    [one] One other session was ended.
   *[other] { $count } other sessions were ended.
}

## Email
mail-greeting = Hello { $name },
mail-signature = The Agora team
mail-not-you = If this was not you, you can ignore this message.
mail-verify-subject = Confirm your email address for Agora
mail-verify-intro = Thank you for creating an account on Agora. Please confirm that this address is yours.
mail-verify-action = Confirm my email address
mail-verify-expiry = The link works once, for 48 hours.
mail-existing-subject = Someone tried to sign up with your address
mail-existing-intro = Someone tried to create an Agora account with this email address, but you already have one.
mail-existing-action = Sign in
mail-existing-reset = If you forgot your password, choose a new one here: { $link }
mail-reset-subject = Reset your Agora password
mail-reset-intro = We got a request to reset the password of your account.
mail-reset-action = Choose a new password
mail-reset-expiry = The link works once, for one hour.
mail-changed-subject = Your Agora password was changed
mail-changed-intro = The password of your account was just changed, and your other sessions were signed out.
mail-changed-not-you = If you did not do this, reset your password at once: { $link }
