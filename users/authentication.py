"""Bearer-token authentication: SimpleJWT's, reading the token's user with one prepared,
written-out statement (`users.selectors.user_by_id`) instead of `User.objects.get`.

Every authenticated request reads its user, and the ORM's `get()` cost more Python to build
than PostgreSQL spends running it. Whatever SimpleJWT would refuse (no user id in the token, an
unknown or inactive user) still goes through SimpleJWT's own `get_user`, so its checks and
its error messages stay the only ones.
"""

from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.settings import api_settings


class JWTAuthentication(authentication.JWTAuthentication):
    def get_user(self, validated_token):
        user = None
        # Revocation on password change compares hashes SimpleJWT's way: left to it whole.
        if not api_settings.CHECK_REVOKE_TOKEN and api_settings.USER_ID_FIELD == "id":
            try:
                user_id = int(validated_token[api_settings.USER_ID_CLAIM])
            except (KeyError, TypeError, ValueError):
                user_id = None
            # Ids are positive bigints; anything else is SimpleJWT's to refuse.
            if user_id is not None and 0 < user_id < 2**63:
                # Imported here: DRF imports this class while it loads its settings, before the
                # reader's router (which needs DRF) can be imported.
                from users.selectors import user_by_id

                user = user_by_id(user_id)
        if user is None or (api_settings.CHECK_USER_IS_ACTIVE and not user.is_active):
            return super().get_user(validated_token)
        return user
