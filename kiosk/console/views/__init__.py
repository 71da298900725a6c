"""The console's own pages, one blueprint each."""
