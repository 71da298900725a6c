"""What the terminal says as each screen opens, where the screen itself says nothing more
specific (catalogue, form, review, camera, holder and identify speak their own prompts).

Spoken through kiosk.voice's catalogue sentences (`msg:`): fixed words, never personal data.
One table, so a new screen is either here or speaks for itself (tests/voice checks every
citizen screen is one or the other).
"""

from __future__ import annotations

from kiosk.i18n.messages import N_

SPOKEN: dict[str, str] = {
    "home": N_("Please touch the service you need."),
    "guide": N_("Here is what this service needs and how long it takes. Touch Start the "
                "application when you are ready."),
    "materials": N_("For each document, take a photo, use your e-licence, or hand it in "
                    "later."),
    "receipt": N_("Please take your receipt."),
    "collect_list": N_("Please choose the certificate to print."),
    "collect_reason": N_("Please choose why you need it printed again."),
    "collect_preview": N_("Please check your certificate, then touch Print."),
    "pay_due": N_("Please choose the fee to pay."),
    "pay_qr": N_("Please scan the code on the screen with your phone to pay."),
    "pay_result": N_("Here is the result of your payment."),
    "appt_menu": N_("Book a new appointment, or see the ones you have."),
    "appt_services": N_("Please choose the service to book."),
    "appt_slots": N_("Please choose a day, then a time."),
    "appt_booked": N_("Your appointment is booked. Please take your slip."),
    "appt_mine": N_("Here are your appointments."),
    "progress_start": N_("Please place your ID card, or scan the code on your receipt."),
    "progress_list": N_("Please choose an application to see its progress."),
    "progress_detail": N_("Here is where your application stands."),
    "progress_supplement": N_("Please take a photo of each document asked for."),
    "evaluate_list": N_("Please choose the service you want to rate."),
    "evaluate_rate": N_("Please touch how satisfied you are, then touch Send rating."),
    "evaluate_detail": N_("You may also rate efficiency, competence and attitude, or touch "
                          "Skip."),
}

# Screens that speak for themselves as they open (their own kiosk.voice prompts).
SPEAK_FOR_THEMSELVES = frozenset({"attract", "identify", "holder", "catalogue", "form",
                                  "camera", "review", "goodbye", "progress_camera"})
