"""The site's own line drawings (static/img/), shown where no photo is: a body region per condition, one per stage."""

from django import template
from django.templatetags.static import static

from conditions.models import PatientReason

register = template.Library()

# Where it hurts -> its drawing. "For my sport" and "Not sure" name no region, so they have none.
REGION_DRAWINGS = {
    PatientReason.KNEE: "img/region-knee.svg",
    PatientReason.SHIN: "img/region-shin.svg",
    PatientReason.ACHILLES_CALF: "img/region-achilles-calf.svg",
    PatientReason.HEEL_FOOT: "img/region-heel-foot.svg",
    PatientReason.HIP_HAMSTRING: "img/region-hip-hamstring.svg",
    PatientReason.AFTER_SURGERY: "img/region-after-surgery.svg",
}
STAGE_DRAWINGS = 4  # static/img/stage-1.svg … stage-4.svg


@register.simple_tag
def region_drawing(patient_reason):
    """The URL of the drawing of a condition's body region (Condition.patient_reason), or "" if it has none."""
    name = REGION_DRAWINGS.get(patient_reason)
    return static(name) if name else ""


@register.simple_tag
def stage_drawing(number):
    """The URL of the drawing of the framework's stage `number` (from 1), or "" past the fourth."""
    return static(f"img/stage-{number}.svg") if 1 <= number <= STAGE_DRAWINGS else ""
