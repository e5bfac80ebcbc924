from django import template

from clinic import clock

register = template.Library()


@register.filter
def clinic_date(value, style="day"):
    """{{ booking.starts_at|clinic_date:"day_time" }} → "Tuesday 3 March, 10:00" / "martes 3 de marzo, 10:00 h"."""
    return clock.clinic_date(value, style)


@register.filter
def mxn(amount):
    """{{ clinic.assessment_price|mxn }} → "$750 MXN"."""
    return clock.price_mxn(amount)
