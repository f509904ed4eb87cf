"""Query validation: every bad input is a one-line InputError naming the field."""

from __future__ import annotations

import pytest

from dprkwatch.exceptions import InputError
from dprkwatch.matching import Query, QueryError, Scope


def test_clean_query_keeps_ftm_shape() -> None:
    q = Query(
        "Person",
        {"name": "  Ri\tSu\x00 Yong ", "nationality": ["North Korea"], "birthDate": "1940"},
        id="r1",
    )
    assert q.properties == {"name": ["Ri Su Yong"], "nationality": ["kp"], "birthDate": ["1940"]}
    assert q.names == ["Ri Su Yong"]
    assert Query.from_dict(q.to_dict()) == q


def test_control_and_invisible_characters_are_stripped() -> None:
    q = Query("Person", {"name": ["Kim\u200b Jong\x07 Un\ufeff\n"]})
    assert q.names == ["Kim Jong Un"]


def test_identifiers_are_normalised() -> None:
    q = Query("Vessel", {"imoNumber": "IMO 8660313", "mmsi": "445 999 000"})
    assert q.get("imoNumber") == ["8660313"]
    assert q.get("mmsi") == ["445999000"]
    w = Query("CryptoWallet", {"publicKey": " 0xABCDEFabcdef0123456789abcdef0123456789AB "})
    assert w.get("publicKey") == ["0xabcdefabcdef0123456789abcdef0123456789ab"]


@pytest.mark.parametrize(
    ("schema", "props", "where", "fragment"),
    [
        ("Persn", {"name": "x"}, "schema", "unknown schema 'Persn'"),
        ("Person", {}, "name", "needs a name or an identifier"),
        ("Person", {"name": ["", "  ", "\x00"]}, "name", "needs a name or an identifier"),
        ("Person", {"name": "x" * 10_240}, "name", "too long (10,240 characters"),
        ("Person", {"nme": "x"}, "nme", "unknown property 'nme'"),
        ("Person", {"name": "x", "birthDate": "12/05/1940"}, "birthDate", "YYYY"),
        ("Person", {"name": "x", "birthDate": "1940-13-01"}, "birthDate", "out of range"),
        ("Person", {"name": "x", "nationality": "Narnia"}, "nationality", "unknown country"),
        ("Person", {"name": "x", "gender": "robot"}, "gender", "unknown gender"),
        ("Vessel", {"imoNumber": "12345"}, "imoNumber", "7 digits"),
        ("Vessel", {"mmsi": "12"}, "mmsi", "9 digits"),
        ("CryptoWallet", {"publicKey": "not a wallet!"}, "publicKey", "wallet"),
        ("Person", {"name": ["a"] * 51}, "name", "too many values"),
        ("Person", {"name": {"nested": 1}}, "name", "expected a string"),
    ],
)
def test_bad_queries(schema: str, props: dict[str, object], where: str, fragment: str) -> None:
    with pytest.raises(QueryError) as err:
        Query(schema, props)  # type: ignore[arg-type]
    assert isinstance(err.value, InputError)
    assert err.value.where == where
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_mixed_scripts_are_accepted() -> None:
    q = Query("Person", {"name": ["Kim 정은 金"]})
    assert q.names == ["Kim 정은 金"]


def test_scope_normalises_its_inputs() -> None:
    s = Scope(lists=["OFAC", " un "], programs="dprk3")
    assert s.lists == frozenset({"ofac", "un"})
    assert s.programs == frozenset({"DPRK3"})
    assert not s.is_everything
    assert Scope().is_everything
    assert Scope(lists=[]).lists is None
