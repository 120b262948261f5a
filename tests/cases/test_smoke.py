def test_demo_parra_case_has_custody_timeline(demo):
    assert demo.reference == "CT-2019-0001"
    assert [c.facility.slug for c in demo.custodies.all()] == [
        "ice-texas-unnamed",
        "winn-correctional-center",
    ]
