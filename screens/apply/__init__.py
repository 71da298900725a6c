"""The apply journey's screens (办事申请): catalogue → guide → form → materials (camera) →
review → receipt. Every decision is kiosk.journeys.apply's; these screens draw and touch."""
