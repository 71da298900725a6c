"""Citizen journeys as services (no Kivy): every decision of a journey lives here, so the
screens stay thin and the tests drive a journey without a display."""

from kiosk.journeys.apply import (SHARED_CATALOGUE, ApplyJourney, CatalogueCache, CatalogueView,
                                  FormView, Guide, Review, Step)
from kiosk.journeys.materials import MaterialView
from kiosk.journeys.problems import JourneyProblem, WrongStep
from kiosk.journeys.receipt import PrintOutcome, ReceiptData

__all__ = ["SHARED_CATALOGUE", "ApplyJourney", "CatalogueCache", "CatalogueView", "FormView",
           "Guide", "JourneyProblem", "MaterialView", "PrintOutcome", "ReceiptData", "Review",
           "Step", "WrongStep"]
