package org.soardeferred.simulator;

import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The UWS documents SOAR writes: a job, ESA-style (its element order and attributes, CDATA, whitespace and
 * {@code http://} around {@code email_base_url}), and the job list.
 */
final class JobDocuments {

    private final SimJobs jobs;
    private final Faults faults;
    private final Supplier<String> baseUrl;
    private final Supplier<SendfileResults> sendfile;
    /** Declare UWS 1.1 (the documents' version; blocking polls are honoured then). */
    volatile boolean uws11;
    /** The host name of result hrefs, if not the base URL's. */
    volatile String resultHost;

    JobDocuments(SimJobs jobs, Faults faults, Supplier<String> baseUrl, Supplier<SendfileResults> sendfile) {
        this.jobs = jobs;
        this.faults = faults;
        this.baseUrl = baseUrl;
        this.sendfile = sendfile;
    }

    /** A job's document in this phase. */
    String job(SimJob job, JobPhase phase) {
        String jobUrl = baseUrl.get() + "/tap/async/" + job.id;
        SendfileResults files = sendfile.get();
        String resultBase = files != null ? "http://127.0.0.1:" + files.port() + SoarSimulator.CONTEXT + "/tap/async/" + job.id
                : resultHost == null ? jobUrl : jobUrl.replace("127.0.0.1", resultHost);
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<uws:job  xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" ")
                .append("xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ")
                .append(uws11 ? "version=\"1.1\" " : "")
                .append("xsi:schemaLocation=\"http://www.ivoa.net/xml/UWS/v1.0 http://www.ivoa.net/xml/UWS/v1.0\" >\n");
        x.append("<uws:jobId><![CDATA[").append(job.id).append("]]></uws:jobId>\n");
        x.append("<uws:runId xsi:nil=\"true\"/>\n");
        x.append("<uws:ownerId><![CDATA[").append(job.owner).append("]]></uws:ownerId>\n");
        x.append("<uws:phase>").append(phase).append("</uws:phase>\n");
        x.append("<uws:quote>-1</uws:quote>\n");
        x.append("<uws:startTime>").append(esaDate(job.createdMillis)).append("</uws:startTime>\n");
        x.append(phase.isFinal() ? "<uws:endTime>" + esaDate(System.currentTimeMillis()) + "</uws:endTime>\n" : "<uws:endTime xsi:nil=\"true\"/>\n");
        x.append("<uws:executionDuration>0</uws:executionDuration>\n");
        x.append("<uws:destruction>").append(esaDate(job.createdMillis + TimeUnit.DAYS.toMillis(2))).append("</uws:destruction>\n");
        x.append("<uws:creationTime>").append(esaDate(job.createdMillis)).append("</uws:creationTime>\n");
        x.append("<uws:locationId>").append(job.owner).append("/").append(job.id).append("</uws:locationId>\n");
        x.append("<uws:name><![CDATA[]]></uws:name>\n");
        x.append("<uws:parameters>\n");
        job.parameters.forEach((k, v) -> x.append("<uws:parameter id=\"").append(k)
                .append("\" parameter_type=\"COMMON\" parameter_data_type=\"String\" ><![CDATA[").append(v.replace("]]>", ""))
                .append("]]></uws:parameter>\n"));
        x.append("<uws:parameter id=\"email_base_url\" parameter_type=\"COMMON\" parameter_data_type=\"String\" >\n<![CDATA[ ")
                .append(jobUrl).append(" ]]>\n</uws:parameter>\n");
        x.append("</uws:parameters>\n<uws:results>\n");
        if (phase == JobPhase.COMPLETED) {
            job.packages.join().forEach((id, file) -> x.append("<uws:result id=\"").append(id)
                    .append("\" xlink:type=\"simple\" xlink:href=\"").append(resultBase).append("/results/").append(id)
                    .append("\" mime=\"application/x-gzip\" size=\"").append(PackageMaker.size(file) - faults.truncateBy + faults.sizeSkew)
                    .append("\"/>\n"));
        }
        x.append("</uws:results>\n");
        if (phase == JobPhase.ERROR || phase == JobPhase.ABORTED) {
            String message = phase == JobPhase.ERROR ? (job.errorMessage != null ? job.errorMessage
                    : "the package could not be assembled: " + job.packages.handle((v, e) -> String.valueOf(e)).join())
                    : "Job aborted by the user or the archive";
            x.append("<uws:errorSummary type=\"fatal\" hasDetails=\"false\">\n<uws:message><![CDATA[")
                    .append(message).append("]]></uws:message>\n</uws:errorSummary>\n");
        } else {
            x.append("<uws:errorSummary xsi:nil=\"true\"/>\n");
        }
        x.append("</uws:job>\n");
        return x.toString();
    }

    /** A job list: jobrefs (id, href, phase) like ESA's Gaia list, or whole job documents like ESA's TAP+. */
    String list(List<SimJob> listed, boolean wholeDocuments) {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<uws:jobs xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" ")
                .append("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" total=\"").append(listed.size()).append("\">\n");
        for (SimJob job : listed) {
            if (wholeDocuments) {
                String doc = job(job, jobs.phase(job));
                x.append(doc.substring(doc.indexOf("<uws:job ")).replaceFirst("<uws:job [^>]*>", "<uws:job>"));
            } else {
                x.append("<uws:jobref id=\"").append(job.id).append("\" xlink:href=\"").append(baseUrl.get())
                        .append("/tap/async/").append(job.id).append("\"><uws:phase>").append(jobs.phase(job))
                        .append("</uws:phase></uws:jobref>\n");
            }
        }
        x.append("</uws:jobs>\n");
        return x.toString();
    }

    private static String esaDate(long millis) {
        return new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT).format(new Date(millis));
    }
}
