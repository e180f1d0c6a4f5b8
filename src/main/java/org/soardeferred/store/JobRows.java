package org.soardeferred.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.soardeferred.common.ErrorKind;
import org.soardeferred.soar.SoarRequest;

/** Jobs as rows of soar_job: which columns, how a job is read from a row and bound to a statement. */
final class JobRows {

    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The columns besides id, in the order {@link #bind} sets them; id is always the last parameter. */
    static final List<String> FIELDS = List.of("name", "request_json", "idempotency_key", "query_file",
            "output_name", "remote_job_id", "job_url", "phase", "status", "phase_history", "results_json", "error", "error_kind",
            "sent_at", "created_at", "updated_at");
    static final String COLUMNS = String.join(", ", FIELDS) + ", id";
    static final String SELECT = "SELECT " + COLUMNS + " FROM soar_job";
    /** The condition that a job is not finished yet (see {@link JobStatus#unfinished()}). */
    static final String UNFINISHED = "status IN " + sqlList(JobStatus.unfinished());

    private final Jdbc jdbc;

    JobRows(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** The jobs a query on soar_job's {@link #COLUMNS} finds. */
    List<JobRecord> query(String sql, String... args) {
        List<JobRecord> jobs = new ArrayList<>();
        jdbc.query(sql, rs -> jobs.add(read(rs)), args);
        return jobs;
    }

    /** A list of statuses as SQL: ('ACCEPTED','SUBMITTED'). */
    static String sqlList(Collection<JobStatus> statuses) {
        return statuses.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(",", "(", ")"));
    }

    private static JobRecord read(ResultSet rs) throws SQLException, JsonProcessingException {
        JobRecord job = new JobRecord();
        job.id = rs.getString("id");
        job.name = rs.getString("name");
        job.request = JSON.readValue(rs.getString("request_json"), SoarRequest.class);
        job.idempotencyKey = rs.getString("idempotency_key");
        job.queryFile = rs.getString("query_file");
        job.outputName = rs.getString("output_name");
        job.remoteJobId = rs.getString("remote_job_id");
        job.jobUrl = rs.getString("job_url");
        job.phase = rs.getString("phase");
        job.status = JobStatus.valueOf(rs.getString("status"));
        job.phaseHistory = new ArrayList<>(JSON.readValue(rs.getString("phase_history"), new TypeReference<List<PhaseChange>>() { }));
        job.results = new ArrayList<>(JSON.readValue(rs.getString("results_json"), new TypeReference<List<ResultRecord>>() { }));
        job.error = rs.getString("error");
        job.errorKind = rs.getString("error_kind") == null ? null : ErrorKind.valueOf(rs.getString("error_kind"));
        job.sentAt = rs.getTimestamp("sent_at") == null ? null : rs.getTimestamp("sent_at").toInstant();
        job.createdAt = rs.getTimestamp("created_at").toInstant();
        job.updatedAt = rs.getTimestamp("updated_at").toInstant();
        return job;
    }

    /** Sets {@link #FIELDS} then id as the first parameters of a statement. */
    static void bind(PreparedStatement ps, JobRecord job) throws SQLException {
        int i = 0;
        ps.setString(++i, job.name);
        ps.setString(++i, json(job.request));
        ps.setString(++i, job.idempotencyKey);
        ps.setString(++i, job.queryFile);
        ps.setString(++i, job.outputName);
        ps.setString(++i, job.remoteJobId);
        ps.setString(++i, job.jobUrl);
        ps.setString(++i, job.phase);
        ps.setString(++i, job.status.name());
        ps.setString(++i, json(job.phaseHistory));
        ps.setString(++i, json(job.results));
        ps.setString(++i, truncate(job.error));
        ps.setString(++i, job.errorKind == null ? null : job.errorKind.name());
        ps.setTimestamp(++i, job.sentAt == null ? null : Timestamp.from(job.sentAt));
        ps.setTimestamp(++i, Timestamp.from(job.createdAt));
        ps.setTimestamp(++i, Timestamp.from(job.updatedAt));
        ps.setString(++i, job.id);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 4000 ? text : text.substring(0, 3999) + "…";
    }
}
