"""The one-stop system (Hệ thống thông tin một cửa điện tử): dossier model, sources and import."""
