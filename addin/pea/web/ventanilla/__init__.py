"""Aplicación Django «ventanilla»: cuentas, entregas, revisión anónima y API."""
