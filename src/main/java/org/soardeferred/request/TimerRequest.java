package org.soardeferred.request;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.soardeferred.common.InvalidRequestException;
import org.soardeferred.soar.SoarRequest;

/**
 * The fixed request the timer sends every soar.timer.period (routes/timer.camel.yaml): soar.timer.request is either
 * the path of a query file (.ids, .adql, .properties, .job: read again at every tick, so it can be edited) or the
 * request itself, data item ids (separated by commas or spaces) or an ADQL query. Its jobs are named soar.timer.name.
 * Like any request, the same one as a job that runs or was delivered less than 2 days ago is served by that job.
 */
public class TimerRequest {

    private final String name;
    private final String request;
    private final String productType;
    private final String retrievalType;
    private final QueryFileReader reader;

    public TimerRequest(String name, String request, String productType, String retrievalType, long maxBytes) {
        this.name = name == null || name.isBlank() ? "timer" : name.strip();
        this.request = request == null ? "" : request.strip();
        this.productType = productType;
        this.retrievalType = retrievalType;
        this.reader = new QueryFileReader(maxBytes);
    }

    public boolean isSet() {
        return !request.isEmpty();
    }

    /** The request for this tick. */
    public SoarRequest next() {
        if (request.isEmpty()) {
            throw new InvalidRequestException("soar.timer.request is empty");
        }
        SoarRequest r;
        if (Files.isRegularFile(Path.of(request))) {
            r = reader.read(request);
            r = new SoarRequest(name, r.dataItemIds(), r.query(), r.productType(), r.retrievalType(), r.jobUrl(), r.target());
        } else if (request.regionMatches(true, 0, "SELECT", 0, 6)) {
            r = new SoarRequest(name, List.of(), request, productType, retrievalType);
        } else {
            r = new SoarRequest(name, QueryFileReader.parseIds(request), null, productType, retrievalType);
        }
        return r;
    }
}
