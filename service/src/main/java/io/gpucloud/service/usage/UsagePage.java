package io.gpucloud.service.usage;

import java.util.List;

/** A page of usage records: page is 1-based, total counts every record the filters match. */
public record UsagePage(List<UsageRecordView> items, int page, int pageSize, long total) {}
