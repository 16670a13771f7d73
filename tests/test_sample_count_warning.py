from latentgan.evaluation import sample_count_warning


def test_fid_below_2048_samples_is_flagged_and_other_metrics_are_not():
    assert "2,048" in sample_count_warning("fid,modes", 10)
    assert sample_count_warning("fid", 2048) is None
    assert sample_count_warning("fid", None) is None
    assert sample_count_warning("modes", 10) is None
