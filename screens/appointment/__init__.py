"""The appointment journey's screens (预约): book a counter (service → day and time → the booking
code and its slip) or see and cancel one's bookings. Every decision is
kiosk.journeys.appointment's; these screens draw and touch."""

from __future__ import annotations


def install(app) -> None:  # type: ignore[no-untyped-def]
    """Add the screens to the app and the journey to its home tile."""
    from screens.appointment.booked import ApptBookedScreen
    from screens.appointment.flow import AppointmentFlow
    from screens.appointment.menu import ApptMenuScreen
    from screens.appointment.mine import ApptMineScreen
    from screens.appointment.services import ApptServicesScreen
    from screens.appointment.slots import ApptSlotsScreen

    flow = AppointmentFlow(app)
    for name, screen in (("appt_menu", ApptMenuScreen), ("appt_services", ApptServicesScreen),
                         ("appt_slots", ApptSlotsScreen), ("appt_booked", ApptBookedScreen),
                         ("appt_mine", ApptMineScreen)):
        app.manager.add_widget(screen(app, flow, name=name))
    app.add_journey("appointment", flow.open, flow.forget)
