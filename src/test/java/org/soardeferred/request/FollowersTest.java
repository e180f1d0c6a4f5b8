package org.soardeferred.request;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.ResultRecord;
import org.soardeferred.transfer.FolderTarget;
import org.soardeferred.transfer.Outbox;
import org.soardeferred.transfer.Outboxes;

import static org.assertj.core.api.Assertions.assertThat;

/** Query files for a request already delivered (or under way), served from its job's packages when it ends. */
class FollowersTest {

    @TempDir
    Path inbox;
    @TempDir
    Path out;
    private JobStore store;
    private JobRecord job;

    @BeforeEach
    void aJobWithTwoPackages() throws IOException {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = new JobStore(h2);
        job = store.accept(new SoarRequest("leader", List.of("solo_L2_mag-rtn-normal_20240101"), null, null, null));
        job.outputName = "leader";
        job.results = List.of(result("r1"), result("r2"));
        for (ResultRecord r : job.results) {
            Files.writeString(out.resolve(r.file), "the bytes of " + r.id);
        }
    }

    private static ResultRecord result(String id) {
        ResultRecord r = new ResultRecord(id, "http://127.0.0.1/results/" + id, 15L);
        r.file = "leader-" + id + ".tar.gz";
        r.sha256 = "0".repeat(64);
        return r;
    }

    /** Followers of the job, served by the given outbox once the job is delivered. */
    private void deliverTo(Outbox outbox, String... followerNames) throws IOException {
        QueryFiles queryFiles = new QueryFiles(inbox, store);
        Followers followers = new Followers(store, queryFiles, new Outboxes(outbox, Set.of(), Set.of(), t -> null), "");
        for (String name : followerNames) {
            Path file = Files.writeString(inbox.resolve(name + ".ids"), "solo_L2_mag-rtn-normal_20240101");
            followers.follow(job, new SoarRequest(name, List.of("solo_L2_mag-rtn-normal_20240101"), null, null, null),
                    file.toString());
        }
        job.status = JobStatus.DELIVERED;
        followers.finish(job);
    }

    private List<String> outFiles() throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFollowerThatCannotBeServedFailsAloneAndKeepsNoneOfItsPackages() throws IOException {
        Outbox diskFullForBad = new Outbox(new FolderTarget(out) {
            @Override
            public String serve(String original, String copy) throws IOException {
                if (copy.equals("bad-r2.tar.gz")) {
                    throw new IOException("No space left on device");
                }
                return super.serve(original, copy);
            }
        });

        deliverTo(diskFullForBad, "good", "bad");

        assertThat(outFiles()).containsExactly("good-r1.tar.gz", "good-r2.tar.gz", "good.json",
                "leader-r1.tar.gz", "leader-r2.tar.gz");
        assertThat(inbox.resolve(".done/good.ids")).exists();
        assertThat(inbox.resolve(".error/bad.ids")).exists();
        assertThat(Files.readString(inbox.resolve(".error/bad.error.txt"), StandardCharsets.UTF_8))
                .contains("could not be served from job " + job.id).contains("No space left on device");
        assertThat(store.followers().of(job.id)).isEmpty();
    }

    @Test
    void withoutHardLinksAFollowerGetsWholeCopiesAndNoTemporaryFileIsLeft() throws IOException {
        Outbox noHardLinks = new Outbox(new FolderTarget(out) {
            @Override
            protected void link(Path link, Path existing) {
                throw new UnsupportedOperationException("no hard links on this file system");
            }
        });

        deliverTo(noHardLinks, "copy");

        assertThat(outFiles()).containsExactly("copy-r1.tar.gz", "copy-r2.tar.gz", "copy.json",
                "leader-r1.tar.gz", "leader-r2.tar.gz");
        assertThat(out.resolve("copy-r2.tar.gz")).hasContent("the bytes of r2");
        assertThat(Files.isSameFile(out.resolve("copy-r2.tar.gz"), out.resolve("leader-r2.tar.gz"))).isFalse();
        assertThat(inbox.resolve(".done/copy.ids")).exists();
    }
}
