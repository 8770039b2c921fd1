"""La revisión del Instituto, sin web: diferencias entre versiones, estados del tablero y el
maestro armado con las entregas vigentes (con el mismo código que `pea consolidar`)."""
