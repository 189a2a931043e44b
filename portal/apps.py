from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from portal.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="portal.sync_role_permissions")
        # Sign-in events (login, failure, lockout, logout) go to the audit log.
        import portal.auth  # noqa: F401
