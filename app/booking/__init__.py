"""The booking system's side: the outbound callback adapter (the only other module speaking HTTP)."""
