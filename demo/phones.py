"""Phone numbers of the generated people: the fourth digit says which group a person was generated for,
so the builder and the needs walk find a group again by its prefix."""

IN_SERVICE, RETIREE, RESIDENT, VETERAN, NAMED = 1, 2, 3, 4, 5


def phone_prefix(group: int) -> str:
    return f"139{group}"


def phone(group: int, index: int) -> str:
    """A valid, unique 11-digit mobile number per (group, index); 7919 is coprime with 10, so the
    7-digit tails of one group never collide."""
    return f"{phone_prefix(group)}{(index * 7919 + 1_234_567) % 10**7:07d}"
