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
error-408-title = Too slow
error-408-text = The request did not arrive in time. Please try again.
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

## Navigation (partners, admin, catalogue)
nav-catalogue = Services
nav-partner = My partners
nav-admin = Admin
nav-apply = Become a partner
me-privacy = Privacy and consents
delete = Delete

## Common fields and errors
field-name = Name
field-org-name = Organisation name
field-website = Website
field-contact-email = Contact email
field-description = Description
field-title = Title
field-slug = Address (slug)
field-slug-hint = Lowercase letters, digits and dashes. Left empty, it is made from the title.
field-category = Category
field-summary = Summary
field-body = Description (Markdown)
field-body-hint = Markdown: **bold**, *italic*, lists, links and tables. Use Preview to check it.
field-price = Price
field-status = Status
field-updated = Last change
field-role = Role
field-reason = Reason
field-rating = Your rating
field-review = Your review
error-required = This field is required.
error-too-long = This is too long.
error-slug-invalid = Use lowercase letters, digits and single dashes only.
error-slug-taken = Another listing already uses this address.
error-website-invalid = Enter a full address starting with https:// or http://.
error-category-invalid = Choose one of the categories offered.
error-category-name = The name needs at least one letter or digit.
error-category-exists = A category with this name exists already.
error-rating-invalid = Choose from one to five stars.
error-reason-required = Give a reason; it is sent to the partner.
error-role-invalid = Choose one of the roles offered.
error-role-owner-only = Only an owner can give or take the owner role.

## Partner statuses and roles
partner-status-pending = Waiting for review
partner-status-approved = Approved
partner-status-rejected = Rejected
partner-status-suspended = Suspended
role-owner = Owner
role-admin = Admin
role-member = Member

## Partner application
apply-title = Become a partner
apply-intro = Tell us about your organisation. Our team reviews every application and answers by email.
apply-submit = Send application
apply-done-title = Application received
apply-done-text = Thank you. We will review your application and email you our decision.

## Partner area
partner-index-title = My partners
partner-index-empty = You do not belong to any partner yet.
partner-nav-label = Partner
partner-nav-dashboard = Overview
partner-nav-listings = Listings
partner-nav-engagements = Requests
partner-nav-reviews = Reviews
partner-nav-team = Team
partner-nav-settings = Settings
partner-suspended-banner = This partner is suspended: its listings are hidden from the public until the platform reinstates it.
partner-public-page = Public page
stat-published = published listings
stat-drafts = drafts
stat-views = views in the last 30 days
stat-engagements = requests
listing-new = New listing
listing-edit = Edit listing
listing-preview = Preview
listing-publish = Publish
listing-archive = Archive
listing-view-public = View public page
listing-saved = The listing was saved.
listing-published = The listing is published.
listing-archived = The listing is archived and no longer public.
listing-status-refused = That change of status is not possible.
listing-status-draft = Draft
listing-status-published = Published
listing-status-archived = Archived
listings-empty = No listings yet. Create the first one.
category-none = No category
category-all = All categories
team-members = Members
team-invitations = Open invitations
team-expires = Expires
team-invite = Invite someone
team-invite-submit = Send invitation
team-invited = An invitation was sent to { $email }.
team-change-role = Change role
team-role-changed = The role was changed.
team-remove = Remove
team-removed = The member was removed.
team-revoke = Withdraw
team-invitation-revoked = The invitation was withdrawn.
team-last-owner = A partner needs at least one owner: make someone else an owner first.
settings-profile = Public profile
settings-notifications = Notifications
settings-notify-engagements = Email us when someone requests one of our services
settings-saved = The settings were saved.
engagements-intro = People who requested your services. Names and email addresses appear only while the person agrees to share them with you.
engagements-empty = No requests yet.
engagements-consumer = Person
engagements-listing = Service
engagements-message = Message
engagements-date = Date
engagements-no-consent = Did not share contact details
engagements-message-hidden = Hidden without consent
review-reply = Public reply
review-reply-submit = Save reply
review-reply-saved = Your reply was published.
review-hidden-note = Hidden by the platform

## Invitations
invitation-title = Invitation
invitation-text = You are invited to join { $partner } as { $role }.
invitation-sign-in-first = Sign in (or create an account) with { $email } to accept.
invitation-accept = Accept the invitation
invitation-accepted = Welcome to the team.
invitation-wrong-account = This invitation was sent to { $email }. Sign in with that address to accept it.
invitation-invalid-title = This invitation does not work
invitation-invalid-text = The invitation link is wrong, was already used, or has expired. Ask for a new one.

## Catalogue
catalogue-title = Services
catalogue-results-for = Results for “{ $query }”
catalogue-search-label = Search
catalogue-search-placeholder = What are you looking for?
catalogue-search-submit = Search
catalogue-sort = Sort by
catalogue-count-capped = More than { $count } services found; narrow the search to see them all.
catalogue-count = { $count ->
    [one] One service found.
   *[other] { $count } services found.
}
catalogue-empty = No services are published yet. Come back soon.
catalogue-no-results = No services match “{ $query }”.
catalogue-no-results-plain = No services in this category yet.
catalogue-clear = Show all services
sort-relevance = Best match
sort-newest = Newest
sort-rating = Best rated
sort-popular = Most viewed
pagination-label = Pages
pagination-prev = Previous
pagination-next = Next
pagination-position = Page { $page } of { $pages }
pagination-first = First page
pagination-page = Page { $page }
count-capped = { $count }+
partner-services = Services
partner-no-services = No published services right now.

## Listing page: requests, consent, reviews
engage-title = Request this service
engage-sign-in = Sign in to request this service
engage-message = Message to the partner (optional)
engage-submit = Request this service
engage-done = Your request was sent.
engage-already = You have already requested this service.
engage-requested-on = You requested this service on { $date }.
consent-state-given = { $partner } can see your name and email address.
consent-state-none = { $partner } cannot see your name or email address.
consent-withdraw = Stop sharing my details
consent-give = Share my details
consent-withdrawn = You no longer share your details with this partner.
consent-given = You now share your name and email with this partner.
reviews-title = Reviews
reviews-none = No reviews yet
reviews-count = { $count ->
    [one] (1 review)
   *[other] ({ $count } reviews)
}
rating-label = { $rating ->
    [one] 1 star
   *[other] { $rating } stars
}
review-write = Write a review
review-edit = Edit your review
review-submit = Publish review
review-saved = Thank you, your review was saved.
review-reply-from = Reply from { $partner }

## Privacy
privacy-title = Privacy and consents
privacy-intro = Partners see your name and email address only if you agreed. Change it here at any time; it takes effect at once.
privacy-empty = You have not requested any service yet.
privacy-partner = Partner
privacy-services = Services you requested
privacy-sharing = Your details
privacy-shared = Shared
privacy-not-shared = Not shared

## Admin
admin-title = Administration
admin-partners = Partners
admin-categories = Categories
admin-moderation = Review moderation
admin-partners-empty = No partner has applied yet.
admin-partners-none = No partner matches.
admin-partners-search = Name
admin-partners-waiting = Applications waiting for review: { $count }
moderation-all = All reviews
moderation-visible = Shown
moderation-hidden = Hidden
admin-applied = Applied
admin-applicant = Applicant
admin-reason-hint = Required to reject or suspend; the applicant sees it.
admin-approve = Approve
admin-reject = Reject
admin-suspend = Suspend
admin-reinstate = Reinstate
admin-partner-updated = The partner was updated.
admin-partner-status-refused = That change is not possible from the partner's current status.
category-new = New category
category-add = Add category
category-saved = The category was saved.
category-deleted = The category was deleted.
category-in-use = Listings use this category; it cannot be deleted.
review-hide = Hide
review-unhide = Show again
review-moderated = The review was updated.

## Email (partners)
mail-greeting-plain = Hello,
mail-invitation-subject = You are invited to join { $partner } on Agora
mail-invitation-intro = { $inviter } invites you to join { $partner } on Agora as { $role }.
mail-invitation-action = Accept the invitation
mail-invitation-expiry = The link works once, for seven days. Sign in or create an account with this email address to accept.
mail-approved-subject = { $partner } is approved on Agora
mail-approved-intro = Good news: { $partner } is now a partner on Agora. You are its owner and can publish listings.
mail-approved-action = Open the partner area
mail-rejected-subject = Your application for { $partner }
mail-rejected-intro = We are sorry: we cannot accept { $partner } as a partner at this time.
mail-decision-reason = Reason: { $reason }
mail-engagement-subject = New request: { $listing }
mail-engagement-intro-anonymous = Someone requested “{ $listing }”. They chose not to share their contact details.
mail-engagement-message = Their message: { $message }
mail-engagement-action = See requests
mail-engagement-settings = You can turn these emails off in your partner settings.

## Support: tickets
nav-desk = Desk
tickets-title = My tickets
tickets-empty = You have not asked for help yet.
tickets-empty-partner = No tickets about your services.
partner-nav-tickets = Tickets
ticket-new = Ask for help
ticket-help-with-listing = Get help with this listing
ticket-about-listing = About “{ $listing }” by { $partner }
ticket-submit = Send
ticket-number = Number
ticket-opened = Ticket #{ $number } was opened. We sent you a confirmation.
ticket-opened-on = opened { $date }
ticket-follow-up-subject = Follow-up to #{ $number }
ticket-follow-up = Open a follow-up
ticket-closed-note = This ticket is closed.
ticket-closed-no-reply = This ticket is closed; open a follow-up instead.
ticket-reply = Reply
ticket-reply-as = Reply as { $partner }
ticket-reply-reopens = Replying reopens the ticket.
ticket-send = Send reply
ticket-send-public = Send public reply
ticket-add-note = Add internal note
ticket-reply-sent = Your reply was sent.
ticket-note-added = The internal note was added.
ticket-internal-note = Internal note
ticket-author-staff = { $name } (Support)
ticket-new-message = New
ticket-collision = Someone replied while you were writing. Read the new message above; your draft is kept below.
ticket-then = Then set the status to
ticket-then-keep = Keep as it is
ticket-manage = Ticket
ticket-assign = Assign
ticket-assign-me = Assign to me
ticket-assigned = The ticket was assigned.
ticket-unassigned = Unassigned
ticket-change-status = Change status
ticket-status-changed = The status was changed.
ticket-status-refused = That change of status is not allowed from the current status.
ticket-change-priority = Change priority
ticket-priority-changed = The priority was changed and the due times recalculated.
ticket-requester = Requester
ticket-due = Due
ticket-status-new = New
ticket-status-open = Open
ticket-status-pending = Waiting on requester
ticket-status-resolved = Resolved
ticket-status-closed = Closed
field-subject = Subject
field-message = Message
field-priority = Priority
field-priority-hint = How urgent is it?
field-assignee = Assignee
priority-low = Low
priority-normal = Normal
priority-high = High
priority-urgent = Urgent
error-priority-invalid = Choose one of the priorities offered.
history-tickets = Other tickets
history-engagements = Requested services
history-reviews = Reviews
history-none = None
history-all = All tickets from this requester
history-first-shown = { $count ->
    [one] Only the first is shown.
   *[other] Only the first { $count } are shown.
}
requester-tickets-title = Tickets from { $name }

## Support: desk
desk-title = Support desk
desk-nav-label = Desk
desk-search = Number, subject or email
desk-count = { $count ->
    [one] One ticket.
   *[other] { $count } tickets.
}
desk-count-capped = { $count } tickets.
desk-empty = Nothing in this queue.
queue-unassigned = Unassigned
queue-mine = Mine
queue-open = All open
queue-waiting = Waiting on consumer
queue-breaching = Breaching SLA
queue-resolved = Recently resolved
filter-any = Any
filter-apply = Apply
sla-first-response = First response
sla-resolution = Resolution
sla-met = Met
sla-missed = Overdue
sla-due-soon = Due within the hour
sla-running = On track
sla-paused = Paused
sla-none = No target
canned-title = Canned replies
canned-new = New canned reply
canned-edit = Edit
canned-empty = No canned replies yet.
canned-insert = Canned reply
canned-use = Insert
canned-saved = The canned reply was saved.
canned-deleted = The canned reply was deleted.
canned-placeholders = Placeholders: {"{{"}name{"}}"} is the requester's name, {"{{"}ticket{"}}"} the ticket number, {"{{"}agent{"}}"} your name.

## Support: satisfaction
survey-title = How did we do?
survey-question = Rate the help you received
survey-comment = Anything to add? (optional)
survey-submit = Send rating
survey-thanks = Thank you for your feedback.
survey-closed = This ticket is closed; its rating can no longer be changed.
survey-your-rating = { $rating ->
    [one] Your rating: 1 star.
   *[other] Your rating: { $rating } stars.
}

## Support: SLA settings
admin-sla = Service levels
sla-intro = Targets per priority, in business hours. The clock stops while a ticket waits on the consumer.
sla-first-response-hours = First response (hours)
sla-resolution-hours = Resolution (hours)
sla-zone = Time zone of the business hours (summer time follows it)
sla-schedule = Business hours
sla-schedule-hint = 24x7, or seven entries Monday to Sunday separated by commas, each HH:MM-HH:MM or closed.
sla-saved = The service levels were saved.
error-hours-invalid = Enter a number of hours greater than zero.
error-sla-order = The resolution target cannot be shorter than the first response.
error-zone-invalid = Choose a time zone from the list.
error-schedule-invalid = Enter 24x7, or seven entries like 09:00-17:00 or closed.

## Support: reports
reports-title = Reports
report-from = From
report-to = To
report-business-hours = Times are in business hours, with waiting time on the consumer left out.
report-times-sampled = Response and resolution times are computed from the newest { $count } tickets of the period; the counts cover all of it.
report-overview = Overview
report-all = All tickets
report-none = (none)
report-opened = Opened
report-resolved = Resolved
report-first-median = First response, median
report-first-p90 = First response, 90th percentile
report-resolution-median = Resolution, median
report-resolution-p90 = Resolution, 90th percentile
report-satisfaction = Satisfaction
report-sla = SLA achieved
report-by-agent = By agent
report-by-partner = By partner
error-date-invalid = Enter a date like 2026-11-25.

## Email (tickets)
mail-ticket-opened-intro = We received your request and opened ticket #{ $number }. We will answer as soon as we can.
mail-ticket-reply-hint = You can follow the ticket and reply on its page.
mail-ticket-view = Open the ticket
mail-ticket-reply-intro = { $author } replied on ticket #{ $number }:
mail-ticket-assigned-intro = Ticket #{ $number } was assigned to you.
mail-ticket-resolved-intro = We marked ticket #{ $number } as resolved.
mail-ticket-survey = How did we do? One click is enough:
mail-ticket-reopen-hint = Not solved? Reply on the ticket page and it opens again.

## Admin: people and records
admin-users = Users
admin-users-search = Name or email
admin-users-none = No account matches.
admin-roles = Roles
admin-role-admin = Admin
admin-role-staff = Staff
admin-user-active = Active
admin-user-unverified = Not confirmed
admin-user-disabled = Disabled
admin-make-staff = Make staff
admin-remove-staff = Remove staff
admin-disable = Disable
admin-enable = Enable
admin-user-updated = The account was updated.
admin-user-self = You cannot do that to your own account.
admin-audit = Audit log
admin-audit-search = Action or subject
admin-audit-time = Time
admin-audit-actor = Who
admin-audit-action = Action
admin-audit-subject = Subject
admin-audit-none = No event matches.
admin-outbox = Email outbox
admin-outbox-failed = Failed
admin-outbox-queued = Waiting to be sent
admin-outbox-none = Nothing here.
admin-outbox-to = To
admin-outbox-attempts = Attempts
admin-outbox-error = Last error
admin-outbox-next = Next attempt
admin-outbox-retry = Try again
admin-email-retried = The email will be sent again.

## Own data
privacy-your-data = Your data
privacy-export-intro = Download everything we keep about you: profile, requests and consents, reviews, tickets, activity and sessions.
privacy-export = Download my data (JSON)
privacy-delete-intro = You can also delete your account.
delete-title = Delete my account
delete-intro = This deletes your account, your requests, reviews and tickets. It cannot be undone. Partners no longer see you.
delete-confirm = I understand that this cannot be undone
delete-submit = Delete my account
delete-done-title = Your account was deleted
delete-done-text = We deleted your account and sent a confirmation to your email address.
error-delete-confirm = Tick the box to confirm.
error-delete-last-owner = You are the only owner of { $partner }. Make someone else an owner first.
mail-deleted-subject = Your Agora account was deleted
mail-deleted-intro = As you asked, we deleted your Agora account and the data that belonged to it.
mail-deleted-not-you = If you did not ask for this, reply to this email at once.
stat-conversion = of views became requests (30 days)
stat-conversion-few-views = not enough views yet (fewer than { $min })
stat-open-tickets = open tickets
stat-first-response = median first response (90 days)

## CRM
partner-nav-customers = Customers
crm-intro = People who requested one of your services and agreed to share their details. When someone withdraws consent they, and your notes about them, disappear from here at once.
crm-empty = No customers share their details with you yet.
crm-export = Download as CSV
crm-last-activity = Last activity
crm-activities-90 = Activities (90 days)
crm-segment = Segment
crm-tags = Tags
crm-tag = Tag
crm-add-tag = Add tag
crm-remove-tag = Remove tag { $tag }
crm-notes = Notes
crm-note = Note (only your team sees it)
crm-add-note = Add note
crm-note-added = The note was added.
crm-timeline = Timeline
crm-sort = Order
crm-sort-recent = Most recently active
crm-sort-inactive = Longest inactive
crm-sort-frequent = Most active (90 days)
crm-sort-satisfied = Highest rating
crm-count = Matching customers: { $count }
crm-not-scored = Not scored yet: scores are worked out again within a few minutes of new activity.
crm-computed-at = Scores as of { $time }; they are worked out again within a few minutes of new activity, and at least daily.
error-tag-invalid = Tags have at most 40 characters and no commas.
segment-champions = Champions
segment-loyal = Loyal
segment-new = New
segment-at-risk = At risk
segment-hibernating = Hibernating
segment-others = Others
crm-rules-title = How segments are made
crm-rules-scores = Each customer gets three scores from 1 to 5, by rank among your customers (5 is best; equal values share the middle score): R for how recently they were active with you, F for how often in the last 90 days, S for the mean rating they gave you (reviews and ticket surveys; no rating counts as 3).
crm-rule-champions = R, F and S are all 4 or more.
crm-rule-new = first activity with you in the last 30 days.
crm-rule-loyal = R 3 or more and F 4 or more.
crm-rule-at-risk = R 2 or less but F 3 or more: they used to come often.
crm-rule-hibernating = R 2 or less and F 2 or less.
crm-rule-others = everyone else.
timeline-engaged = Requested a service
timeline-consent-given = Agreed to share details
timeline-consent-withdrawn = Stopped sharing details
timeline-reviewed = Wrote a review
timeline-ticket-opened = Opened a ticket
timeline-ticket-replied = Replied on a ticket
timeline-ticket-answered = Got an answer on a ticket
timeline-note-added = Note added
timeline-other = Activity

## Unsubscribe
mail-unsubscribe = Stop these emails: { $link }
unsubscribe-title = Email notifications
unsubscribe-question = Stop emailing { $partner } about new requests?
unsubscribe-submit = Stop these emails
unsubscribe-done = { $partner } no longer gets emails about new requests. Turn them on again in the partner settings.

## Listing moderation
admin-listings = Listing moderation
admin-take-down = Take down
admin-listing-taken-down = The listing was taken down and the partner told why.
mail-takedown-subject = Your listing “{ $listing }” was taken down
mail-takedown-intro = The platform took “{ $listing }” off the catalogue. It is archived; you can change it and publish it again.
mail-takedown-action = Open the listing
duration-minutes = { $m } min
duration-hours = { $h } h { $m } min
duration-days = { $d } d { $h } h

## Consent: one per partner
consent-a-consumer = A consumer
consent-a-consumer-ticket = A consumer (ticket #{ $number })
consent-scope = This applies to { $partner } as a whole: all your requests to it, past and future, until you change it.
engage-share-partner = Share my name and email address with { $partner }, for all its services
engage-share-hint = Sharing is for { $partner } as a whole: it covers all your requests to { $partner } and lets it see what you wrote to it, until you stop, which you can do at any time. Without it, { $partner } learns only that someone asked, not who you are or what you wrote.
engage-shared-already = You already share your name and email address with { $partner }, for all its services: { $partner } will see them and your message with this request too.
engage-member = You belong to { $partner }, so you cannot request or review its services.
engage-member-refused = You belong to { $partner }: members cannot request or review their own partner's services.
mail-engagement-intro-contact = { $name } ({ $email }) requested “{ $listing }”.
mail-engagement-details-hidden = Their name, email address and message stay hidden unless they agree to share them with you. See the request in your partner area.
ticket-partner-sees-named = { $partner } will see this ticket with your name and email address, because you share your details with { $partner }.
ticket-partner-sees-anonymous = { $partner } will see this ticket and your messages as coming from “a consumer”, without your name or email address, because you do not share your details with { $partner }.

## Team rules and races
team-already-member = { $email } is already in the team: change their role in the list of members instead.
team-role-changed-meanwhile = Your role in this team changed meanwhile, so that change was not made.
invitation-already-member = You were already in this team; your role stays { $role }.
invitation-role-changed = You were already in this team; your role is now { $role }.
ticket-follow-up-send = Open a follow-up with this message
ticket-draft-not-sent = Your message, not sent

## Throttling and rate limits
wait-seconds = { $n ->
    [one] a second
   *[other] { $n } seconds
}
wait-minutes = { $n ->
    [one] a minute
   *[other] { $n } minutes
}
wait-hours = { $n ->
    [one] an hour
   *[other] { $n } hours
}
login-slowed = Too many failed sign-ins to this account. Please try again in { $wait }. A browser you signed in with before is not held up.
login-address-limited = Too many sign-in attempts from your network. Please try again in { $wait }.
rate-limited = You have done this too often in a short time. Please try again in { $wait }; what you entered is kept below.

# HTML validity: headings the checker asks for
catalogue-results-heading = Results

# Partner API: tokens and errors
partner-nav-developers = Developers
developers-title = API tokens
developers-intro = Tokens let your own systems (a CRM, a booking tool, a help desk) use the Agora API for this partner. Each token may do only what its scopes allow; anyone holding it can act for the partner within them, so keep it secret.
developers-none = No API tokens yet.
developers-name = Name
developers-scopes = Scopes
developers-created-by = Created by
developers-last-used = Last used
developers-expires = Expires
developers-expiry = Expiry
developers-expiry-never = Never
developers-expiry-days = { $days ->
    [one] After { $days } day
   *[other] After { $days } days
}
developers-never-used = Never used
developers-former-member = A former member
developers-revoke = Revoke
developers-revoked-badge = Revoked
developers-expired-badge = Expired
developers-new = New token
developers-create = Create token
developers-created = The token was created.
developers-revoked = The token was revoked: it no longer works.
developers-secret-title = Your new token
developers-secret-once = Copy it now: it is shown only this once and cannot be shown again. If you lose it, revoke it and create another.
developers-error-scopes = Choose at least one scope.
developers-error-expiry = Choose one of the expiries offered.
scope-listings-read = read the partner's listings
scope-listings-write = create and change listings
scope-requests-read = read requests from consumers who share their details
scope-customers-read = read customers who share their details
scope-reviews-read = read reviews
scope-reviews-write = reply to reviews
scope-tickets-read = read tickets about the partner's listings (public messages)
scope-tickets-write = reply to tickets as the partner
mail-token-created-subject = New API token "{ $token }" for { $partner }
mail-token-created-intro = { $name } created the API token "{ $token }" for { $partner }.
mail-token-revoked-subject = API token "{ $token }" of { $partner } revoked
mail-token-revoked-intro = { $name } revoked the API token "{ $token }" of { $partner }. It no longer works.
mail-token-not-you = If you do not know why, look at the partner's tokens and revoke any you do not recognise.
mail-token-action = See the partner's API tokens
api-not-found = Not found
api-unauthorized = A valid API token is needed
api-forbidden = The token may not do this
api-forbidden-detail = This needs the scope { $scope }.
api-rate-limited = Too many requests
api-unavailable = The service is briefly unavailable
api-bad-request = The request is not valid
api-bad-query = The query parameters could not be read.
api-bad-status = The status must be draft, published or archived.
api-bad-cursor = The cursor is not one this API gave out.
api-bad-limit = The limit must be a whole number from 1 to 100.
reference-title = Agora API reference
reference-intro = The partner API lets a partner's own systems read and change its records. Every operation below is also in the OpenAPI 3.1 document.
reference-openapi = The OpenAPI document (JSON)
reference-auth-title = Authentication
reference-auth-text = Send one of the partner's API tokens, made by its owners or admins on the partner's Developers page, as a bearer token. Cookies are not read. A token sees its own partner's records only.
reference-paging-text = Lists come newest first, a page at a time: pass the answer's next_cursor as cursor to get the next page; it is null on the last one.
reference-limit-text = Each token may make a limited number of requests a minute; every answer says how many are left (RateLimit-Remaining), and past the limit the answer is 429 with Retry-After.
reference-operations = Operations
reference-scopes = Scopes
reference-no-token = No token needed
reference-parameters = Parameters
reference-statuses = Answers
reference-errors-title = Errors
api-op-listings-list = Lists the partner's listings, newest first, optionally of one status.
api-op-listings-show = Reads one of the partner's listings, with its Markdown and the HTML it renders to.
api-op-requests-list = Lists requests for the partner's listings from consumers who share their name and email with the partner, newest first. A consumer who withdraws their consent is left out from that moment.
api-op-customers-list = Lists the partner's customers who share their name and email with it, with their tags and standing, by id.
api-op-customers-show = Reads one customer while their consent to the partner stands; otherwise the answer is 404.
api-invalid = Some fields need mending
api-bad-json = The body must be a JSON object of the listing's fields.
api-unknown-field = There is no field called { $field }.
api-status-refused = The listing cannot move there from where it stands
api-idempotency-mismatch = This Idempotency-Key was used with another request
api-idempotency-in-progress = A request with this Idempotency-Key is still being handled
api-bad-idempotency-key = The Idempotency-Key may be at most 255 characters.
api-op-listings-create = Creates a listing, as a draft. Send an Idempotency-Key so that a retry makes one listing.
api-op-listings-update = Changes a listing's fields; those left out keep their values.
api-op-listings-publish = Publishes a listing: it shows in the catalogue.
api-op-listings-archive = Archives a listing: it leaves the catalogue.
api-bad-reply = The body must be a JSON object with the reply's text as body.
api-no-author = The token's maker is no longer a member: make a new token to reply.
api-ticket-closed = The ticket is closed
api-op-reviews-list = Lists reviews of the partner's listings, newest first; the author's name only while their consent to the partner stands.
api-op-reviews-reply = Replies to a review; a new reply replaces the one before.
api-op-tickets-list = Lists tickets about the partner's listings, newest first; the requester only while their consent to the partner stands.
api-op-tickets-show = Reads a ticket and its public messages; internal notes never show.
api-op-tickets-reply = Replies to a ticket as the partner; the requester is emailed. Send an Idempotency-Key so that a retry posts once.
api-idempotency-unknown = A request with this Idempotency-Key was never answered; whether it was done is unknown, so it is not done again: look the record up, or send a new key

## Webhooks
partner-nav-webhooks = Webhooks
webhooks-title = Webhooks
webhooks-intro = Webhooks tell your own systems the moment something happens here: a new request, a consent given or withdrawn, a review, a ticket. Agora posts each event as signed JSON to the addresses you add. What an event says of a consumer follows their consent, as on these pages.
webhooks-reference-link = How to receive and verify webhooks
webhooks-none = No webhook endpoints yet.
webhooks-url = Address
webhooks-url-hint = An https address on the public internet. Agora follows no redirects: answer with a 2xx status within 10 seconds.
webhooks-description = Description (optional)
webhooks-events = Events
webhooks-state = State
webhooks-enabled-badge = On
webhooks-disabled-badge = Off
webhooks-new = New endpoint
webhooks-create = Add endpoint
webhooks-endpoint = Webhook endpoint
webhooks-back = ← All endpoints
webhooks-back-endpoint = ← Back to the endpoint
webhooks-secret-title = Signing secret
webhooks-secret-once = Copy it now: it is shown only this once. Use it to check the webhook-signature header of each delivery. If you lose it, rotate it.
webhooks-disabled-failing = Turned off because every delivery failed for a day. Mend the receiver, then turn it on again: waiting deliveries go out then.
webhooks-last-success = Last delivered
webhooks-never = Never
webhooks-secret = Secret
webhooks-rotating = The previous secret also signs until
webhooks-rotate = Rotate secret
webhooks-disable = Turn off
webhooks-enable = Turn on
webhooks-delete = Delete endpoint
webhooks-rotate-hint = A rotated secret keeps signing beside the new one for 24 hours, so your receiver can change over without losing a delivery. Deleting an endpoint deletes its delivery log.
webhooks-log = Delivery log
webhooks-log-none = Nothing was sent to this endpoint yet.
webhooks-event = Event
webhooks-status = Status
webhooks-response = Answer
webhooks-attempts = Tries
webhooks-time = Time
webhooks-not-tried = Not tried yet
webhooks-last-try = last try
webhooks-next-try = next try
webhooks-edit = Change the endpoint
webhooks-delivery = Delivery
webhooks-resend = Send again
webhooks-resend-hint = Sends the same event again, with the same webhook-id, so a receiver that handled it already can tell.
webhooks-payload = Body
webhooks-tries = Tries
webhooks-duration = Took
webhooks-response-body = Start of the answer
webhooks-empty-body = Empty
webhooks-ms = { $ms } ms
webhooks-status-queued = Waiting
webhooks-status-sending = Sending
webhooks-status-delivered = Delivered
webhooks-status-failed = Failed
webhooks-event-request-created = a consumer asked for one of your services
webhooks-event-consent-given = a consumer shares their details with you
webhooks-event-consent-withdrawn = a consumer withdrew consent: delete what you hold of them
webhooks-event-review-created = a new review of one of your listings
webhooks-event-ticket-created = a new ticket about one of your listings
webhooks-event-ticket-message-created = a new public message on such a ticket
webhooks-event-ticket-status-changed = such a ticket changed status
webhooks-event-listing-status-changed = one of your listings was published or archived
webhooks-error-url = Enter a full address such as https://example.com/agora/webhooks.
webhooks-error-https = The address must start with https://.
webhooks-error-credentials = Leave user names and passwords out of the address.
webhooks-error-forbidden = This address is not on the public internet (a loopback, private, link-local or reserved address), so it may not receive webhooks.
webhooks-error-unresolved = This host name could not be found.
webhooks-error-events = Choose at least one event.
webhooks-error-too-many = { $count ->
    [one] A partner may have { $count } endpoint.
   *[other] A partner may have { $count } endpoints.
}
webhooks-created = The endpoint was added.
webhooks-saved = The endpoint was saved.
webhooks-rotated = The secret was rotated.
webhooks-enabled = The endpoint is on.
webhooks-disabled = The endpoint is off: nothing is sent to it.
webhooks-deleted = The endpoint was deleted.
webhooks-resent = The event will be sent again.
mail-webhook-created-subject = New webhook endpoint for { $partner }
mail-webhook-created-intro = { $name } added the webhook endpoint { $url } for { $partner }. Events about your consumers will be sent there.
mail-webhook-deleted-subject = Webhook endpoint of { $partner } deleted
mail-webhook-deleted-intro = { $name } deleted the webhook endpoint { $url } of { $partner }. Nothing more is sent there.
mail-webhook-action = See the partner's webhooks
mail-webhook-disabled-subject = Webhook endpoint of { $partner } turned off
mail-webhook-disabled-intro = Every delivery to { $url } failed for a day, so Agora turned the endpoint off. Events are not sent there until it is turned on again.
mail-webhook-disabled-after = The delivery log shows the answers Agora got. Once your receiver works, turn the endpoint on: the deliveries still waiting go out then.
mail-webhook-disabled-action = See the endpoint
reference-webhooks-title = Webhooks
reference-webhooks-intro = A partner's owners and admins add webhook endpoints on the partner's Webhooks page: an https address and the events to send there. Each event is posted as JSON, {"{"}"type", "timestamp", "data"{"}"}, when the change that causes it is saved.
reference-webhooks-verify-title = Verifying a delivery
reference-webhooks-headers = Deliveries follow the Standard Webhooks specification and carry three headers:
reference-webhooks-verify-text = Check the signature before trusting the body, over the body exactly as received, and refuse timestamps more than five minutes away. The webhook-id is the same when an event is sent again: use it to handle each event once.
reference-webhooks-rotation = After a secret is rotated the previous one keeps signing beside the new one for 24 hours, so the header then holds two signatures; accept either while you change over.
reference-webhooks-delivery-title = Delivery and retries
reference-webhooks-delivery-text = Answer with a 2xx status within 10 seconds; redirects are not followed. Anything else is tried again after each of these waits: { $schedule }. An endpoint whose deliveries all fail for that long is turned off and the partner's owners and admins are emailed. The delivery log shows every try, with the answer's status and the start of its body, and can send an event again.
reference-webhooks-addresses = Endpoints must use https and resolve only to public addresses: loopback, private, link-local (cloud metadata), shared and reserved addresses are refused when the endpoint is saved and again at every delivery.
reference-webhooks-consent = Events follow the consumer's consent as the partner's pages do: without it a request, review, ticket or message carries no name, email address or request message (those fields are null). consent.withdrawn carries only the customer's id: delete what you hold of them. From that moment Agora rewrites every stored delivery that named them.
reference-webhooks-events-title = Events

## Email received
mail-inbound-no-subject = (no subject)
mail-inbound-not-added-subject = Not added: { $subject }
mail-inbound-not-added-intro = Your email "{ $subject }" was not added to the ticket it was sent to: only the person who asked, the partner's team and our support staff may write there. If you need help, ask us through the help form.
mail-inbound-unknown-subject = We could not open a ticket: { $subject }
mail-inbound-unknown-intro = We received your email "{ $subject }", but no verified Agora account uses this address, so we could not open a ticket for it. Sign up (or verify your address), then ask us through the help form.
mail-inbound-help-action = Ask for help
mail-inbound-signup-action = Sign up
mail-inbound-automatic = This answer was sent automatically; replies to it are not read.
ticket-by-email-headers = by email, matched by the email it answers
ticket-by-email-reply-address = by email, matched by the ticket's reply address
ticket-by-email-subject = by email, matched by the ticket number in the subject
ticket-by-email-opened = by email
ticket-email-original = the email as received
mail-inbound-files-subject = Some files were not kept: { $subject }
mail-inbound-files-intro = Your email "{ $subject }" was added to the ticket, but these files were not kept with it:
mail-inbound-file-too-large = { $name }: larger than a file may be.
mail-inbound-file-too-many = { $name }: more files than one message may carry.
ticket-attachments = Files
ticket-attachment-image = image
upload-label = Files (optional)
upload-hint = { $count ->
    [one] Up to { $count } file of { $size } at most.
   *[other] Up to { $count } files, each { $size } at most.
}
upload-too-large = “{ $name }” is larger than a file may be. Your reply was not sent; its text is kept below.
upload-too-many = “{ $name }” is one file too many for one reply. Your reply was not sent; its text is kept below.
ticket-follows-up = Follows up
admin-received = Received
admin-received-none = No email was received yet.
admin-received-from = From
admin-received-outcome = What became of it
admin-received-ticket = Ticket
admin-received-at = Received
admin-received-added = Added to a ticket
admin-received-opened = Opened a ticket
admin-received-ignored = Ignored
admin-received-refused = Refused
admin-received-received = Being taken in
webhooks-resend-limited = Sent again too often: try again in { $wait }.

## Two-step sign-in
me-security = Security
two-step-title = Two-step sign-in
two-step-login-intro = Enter the six-digit code your code app shows for Agora.
two-step-code = Code
two-step-recovery-hint = No phone at hand? Enter one of your recovery codes instead; each works once.
two-step-login-submit = Sign in
two-step-wrong-code = This code is not right, or was used already. Enter the code your app shows now.
two-step-expired = The sign-in took too long. Enter your password again.
two-step-is-off = Two-step sign-in is off: your password alone signs you in. Turn it on to ask for a code from an app on your phone as well.
two-step-is-on = Two-step sign-in is on: after your password, a code from your app (or a recovery code) is asked for.
two-step-codes-left = { $count ->
    [one] { $count } recovery code is left.
   *[other] { $count } recovery codes are left.
}
two-step-start = Set up a code app
two-step-scan = Scan this QR code with a code app (such as an authenticator app), or enter the secret below in it, then enter the code it shows.
two-step-qr = QR code to scan with a code app
two-step-secret-text = Secret:
two-step-confirm = Turn on
two-step-codes-title = Your recovery codes
two-step-codes-once = Keep these somewhere safe: each signs you in once if you lose your phone. They are shown only this once.
two-step-renew = Make new recovery codes
two-step-disable = Turn two-step sign-in off
two-step-on = Two-step sign-in is on.
two-step-off = Two-step sign-in is off.
mail-two-step-on-subject = Two-step sign-in was turned on
mail-two-step-on-intro = Two-step sign-in was turned on for your Agora account: signing in now asks for a code from your app after your password.
mail-two-step-off-subject = Two-step sign-in was turned off
mail-two-step-off-intro = Two-step sign-in was turned off for your Agora account: your password alone signs you in now.
mail-recovery-used-subject = A recovery code was used to sign in
mail-recovery-used-intro = Someone signed in to your Agora account with one of your recovery codes.
mail-recovery-left = { $count ->
    [one] { $count } recovery code is left.
   *[other] { $count } recovery codes are left.
}
mail-two-step-not-you = If this was not you, change your password at once and look at your sessions.
two-step-required = Your role needs two-step sign-in: set it up here to reach the support desk and the admin pages.

## Time zones
field-time-zone = Time zone
time-zone-default = The platform's ({ $zone })
time-zone-hint = Every time on these pages and in your email is shown in this zone.
time-zone-suggested = Suggested from your browser's settings; save to keep it.

## Email preferences
me-notifications = Email preferences
notify-intro = Choose which optional emails you get. Each of them also carries a link that turns off just its kind.
notify-saved = Your email preferences are saved.
notify-as-consumer = As a customer
notify-as-partner = As a partner team member
notify-as-staff = As support staff
notify-kind-review-replies = Replies to my reviews
notify-kind-review-replies-hint = When a partner answers a review you wrote.
notify-kind-surveys = Satisfaction surveys
notify-kind-surveys-hint = The one-click rating question when a ticket of yours is resolved (the resolution notice itself still comes).
notify-kind-partner-requests = New requests
notify-kind-partner-requests-hint = When a customer asks about one of your partner's listings.
notify-kind-partner-reviews = New reviews
notify-kind-partner-reviews-hint = When a customer reviews one of your partner's listings.
notify-kind-partner-tickets = Tickets about our listings
notify-kind-partner-tickets-hint = When a customer opens a ticket about one of your partner's listings.
notify-kind-partner-digest = Daily digest instead
notify-kind-partner-digest-hint = One email each morning at 08:00 your time with the day's requests, reviews and tickets, in place of one email for each.
notify-kind-assignment = Tickets assigned to me
notify-kind-assignment-hint = When a ticket is assigned to you.
notify-kind-sla-warning = SLA about to be missed
notify-kind-sla-warning-hint = When a ticket assigned to you will miss its next SLA target within the hour.
notify-always-title = Always sent
notify-always-intro = These emails cannot be turned off, because your account or a conversation you started depends on them:
notify-always-verification = Address verification: it proves the address is yours before anything else is sent to it.
notify-always-reset = Password reset: sent only when you (or someone using your address) ask for it.
notify-always-security = Security alerts (a sign-in from a new browser, two-step sign-in turned on or off, a recovery code used, the password changed): they let you act if it was not you.
notify-always-ticket-replies = Replies to your own tickets: you asked for help, and the answer is the point.
mail-optional-why = You get this email because "{ $kind }" is on in your email preferences.
mail-optional-links = Stop this kind of email: { $link } · All email preferences: { $preferences }
unsubscribe-kind-question = Stop emails of the kind "{ $kind }"?
unsubscribe-kind-done = Emails of the kind "{ $kind }" are turned off. You can turn them on again in your email preferences.
unsubscribe-all-preferences = All email preferences
mail-review-subject = New review of { $listing }
mail-review-intro = { $author } rated { $listing } { $rating } out of 5:
mail-review-action = See the reviews
mail-review-reply-subject = { $partner } replied to your review
mail-review-reply-intro = { $partner } replied to your review of { $listing }:
mail-review-reply-action = See the reply
mail-partner-ticket-subject = New ticket #{ $number } about your listing
mail-partner-ticket-intro = A customer opened ticket #{ $number } about a listing of { $partner }. Its page shows what you may see and lets you answer.
mail-digest-subject = Your daily digest
mail-digest-intro = What happened since { $since }:
mail-digest-line = { $partner }: { $requests ->
    [one] 1 request
   *[other] { $requests } requests
}, { $reviews ->
    [one] 1 review
   *[other] { $reviews } reviews
}, { $tickets ->
    [one] 1 ticket
   *[other] { $tickets } tickets
}
mail-sla-warning-subject = Ticket #{ $number } is about to miss its SLA
mail-sla-warning-intro = Ticket #{ $number } ("{ $subject }"), assigned to you, is due by { $due }.

## Sign-in safety
mail-when = When: { $time }
mail-new-browser-subject = A new sign-in to your account
mail-new-browser-intro = Your account was just signed in to from a browser that had not signed in to it before.
mail-new-browser-where = Browser: { $browser }. Address: { $address }.
settings-two-step = Two-step sign-in for the team
settings-two-step-intro = When this is on, every member of the team must turn on two-step sign-in before the partner's pages open for them.
settings-two-step-require = Require two-step sign-in for every member
settings-two-step-on = Two-step sign-in is required for every member.
settings-two-step-off = Two-step sign-in is not required.
settings-two-step-owners = Owners can change this.
settings-two-step-yourself-first = Turn on two-step sign-in for your own account first (under Security), then require it for the team.

## Passkeys
passkey-title = Passkeys
passkey-intro = A passkey signs you in with your device's screen lock or a security key, without your password. It is kept on the device and never leaves it.
passkey-name = Name
passkey-name-example = e.g. Work laptop
passkey-added-on = Added
passkey-last-used = Last used
passkey-never-used = Not used yet
passkey-remove = Remove
passkey-add = Add a passkey
passkey-needs-script = Adding a passkey needs a browser with JavaScript and passkey support; everything else on this page works without them.
passkey-not-here = Passkeys can be used only when the portal is reached by its name (AGORA_BASE_URL), not by an address.
passkey-or = Or, without typing anything:
passkey-sign-in = Sign in with a passkey
passkey-name-invalid = Give the passkey a name of at most 60 characters.
passkey-too-many = You have 10 passkeys already; remove one first.
passkey-expired = This took too long. Try again.
passkey-failed = The passkey could not be checked. Try again.
passkey-unknown = This passkey is not known here: it may have been removed.
passkey-slowed = Too many attempts from this address. Wait a few minutes and try again.
passkey-added = The passkey is added.
passkey-removed = The passkey is removed.
mail-passkey-name = Its name: { $name }.
mail-passkey-added-subject = A passkey was added to your account
mail-passkey-added-intro = A passkey was just added to your account: it can now sign in without the password.
mail-passkey-removed-subject = A passkey was removed from your account
mail-passkey-removed-intro = A passkey was just removed from your account.
passkey-or-code = Or, in place of a code:
passkey-instead = Use a passkey instead

## Request replies
engagements-reply = Your answer
engagements-reply-send = Send the answer
request-reply-sent = Your answer is passed on to the customer.
engage-reply-from = The answer of { $partner }
notify-kind-request-replies = Answers to my requests
notify-kind-request-replies-hint = When a partner answers a request you sent (the platform passes it on; your address is shared only if you chose to).
mail-request-reply-subject = { $partner } answered your request
mail-request-reply-intro = { $partner } answered your request about { $listing }:
mail-request-reply-action = See the listing

## Overview trends
trend-title = Over time
trend-period = Period
trend-period-days = { $count ->
    [365] 12 months
   *[other] { $count } days
}
trend-requests = Requests
trend-views = Views
trend-reviews = Reviews
trend-tickets = Tickets opened
trend-desc = { $what }, per day (per week over longer periods); for the whole period: { $total }.
trend-change = { $change } % against the period before
trend-no-before = nothing in the period before to compare with
trend-numbers = The numbers
trend-when = Day (or week from)
trend-conversion = Conversion (requests per 100 views)
trend-consents = Consents given and withdrawn
trend-consents-given = Given
trend-consents-withdrawn = Withdrawn
trend-rating = Average rating
trend-first-response = Median first response (business hours)
trend-top-requests = Most requested listings
trend-top-requests-count = { $count ->
    [one] 1 request
   *[other] { $count } requests
}
trend-top-none = No requests in this period.
trend-top-conversion = Best converting listings
trend-top-conversion-none = No listing had { $min } views in this period.
trend-top-conversion-of = ({ $requests } requests from { $views } views)

## Segments over time
crm-over-time = Segments over time
crm-over-time-hint = A month ago is worked out by the same rules from what was known then, for the customers who consent now.
crm-over-time-now = Now
crm-over-time-then = A month ago
crm-was = A month ago
crm-was-none = Not a customer yet
crm-move = { $count ->
    [one] 1 customer
   *[other] { $count } customers
} went from { $from } to { $to }
crm-newcomers = { $count ->
    [one] 1 customer
   *[other] { $count } customers
} became customers in the last month
crm-no-moves = No customer changed segment in the last month.

## Desk reports over time
report-scope-hint = The charts and the export cover the agent's or partner's tickets when one is chosen; the tables below cover all.
report-export = Download the period's tickets (CSV)
report-trend-opened-resolved = Opened and resolved
report-trend-backlog = Unresolved tickets at the end of each day (or week)
report-trend-medians = First response and resolution, medians per week
report-trend-sla = SLA targets met per week, by priority
report-trend-satisfaction = Satisfaction per week
report-trend-nothing = nothing decided in this period
error-report-too-long = A report covers at most { $days } days: the period was shortened.
error-choice-invalid = Choose one of the options offered.
report-csv-number = Ticket
report-csv-created = Opened (UTC)
report-csv-first-response = First response (UTC)
report-csv-resolved = Resolved (UTC)
report-csv-first-minutes = Business minutes to first response
report-csv-resolution-minutes = Business minutes to resolution
report-csv-first-sla = First response target
report-csv-resolution-sla = Resolution target
report-csv-rating = Rating
report-csv-met = met
report-csv-missed = missed

## Admin over time
admin-trend-title = The platform over time
admin-trend-sign-ups = Sign-ups
admin-trend-partners-approved = Partners approved
admin-trend-listings-published = Listings published
admin-trend-mail = Mail sent and failed
admin-trend-mail-sent = Sent
admin-trend-mail-failed = Failed
admin-trend-mail-hint = Mail is counted while the outbox keeps it (sent mail is deleted after its retention period); a failure counts on the day it was given up.

## A consumer's own history
me-history-title = Your history
me-history = Your requests, reviews and tickets per week over the last year
me-history-export = Download your whole history (CSV)
me-history-export-hint = Every request, review, ticket and consent of yours, oldest first. The full copy of your data is under Privacy.
history-csv-when = When (UTC)
history-csv-what = What
history-csv-listing = Listing
