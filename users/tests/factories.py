import factory

from users.models import Role, User

PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    # Valid Bangladeshi mobile numbers, unique per test run.
    mobile_number = factory.Sequence(lambda n: f"+8801711{n:06d}")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda u: f"user{u.mobile_number[-6:]}@example.com")
    role = Role.PATIENT

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class PatientFactory(UserFactory):
    role = Role.PATIENT


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_superuser = True
