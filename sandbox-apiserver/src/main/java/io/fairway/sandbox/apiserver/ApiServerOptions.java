package io.fairway.sandbox.apiserver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of a {@link LocalApiServer}.
 *
 * @param host             interface to bind (127.0.0.1 by default)
 * @param port             TCP port, 0 for a free one
 * @param watchHistory     how many recent changes are kept for watches that resume from a resourceVersion; older
 *                         resourceVersions get 410 Gone (reason Expired)
 * @param bookmarkInterval how often watches that allow bookmarks get a BOOKMARK event
 * @param watchTimeout     the longest a watch lasts (a client's shorter timeoutSeconds is honoured); the client then
 *                         re-watches from its last resourceVersion
 * @param maxWatchBacklog  events a watch may fall behind before the server closes it (the client resumes)
 * @param eventLoops       event-loop threads serving HTTP
 * @param kubeletsDeletePods whether a graceful deletion of a pod running on a node only marks it
 *                         ({@code deletionTimestamp}, {@code deletionGracePeriodSeconds}) and leaves it until its kubelet
 *                         deletes it with grace period 0, as a real API server does; for clusters with (simulated)
 *                         kubelets. False by default: with no kubelet to finish it, the pod is removed at once
 * @param dataDir          where the store is journaled and restored from on the next start with the same directory
 *                         (see {@link StoreJournal}); null (the default) keeps it in memory only
 * @param historyFile      where one JSON line per mutating request is appended (see {@link HistoryEntry}); null (the
 *                         default) records nothing
 * @param faultEndpoints   whether {@code /chaos/faults} and {@code /chaos/cut-watches} are served, to inject API
 *                         errors, throttling, latency and lost watches while running (see {@link FaultSettings}); off
 *                         by default (those paths are then 404)
 */
public record ApiServerOptions(
        String host,
        int port,
        int watchHistory,
        Duration bookmarkInterval,
        Duration watchTimeout,
        int maxWatchBacklog,
        int eventLoops,
        boolean kubeletsDeletePods,
        Path dataDir,
        Path historyFile,
        boolean faultEndpoints) {

    public ApiServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(bookmarkInterval, "bookmarkInterval");
        Objects.requireNonNull(watchTimeout, "watchTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (watchHistory < 1) {
            throw new IllegalArgumentException("watchHistory must be positive: " + watchHistory);
        }
        if (bookmarkInterval.isNegative() || bookmarkInterval.isZero()) {
            throw new IllegalArgumentException("bookmarkInterval must be positive: " + bookmarkInterval);
        }
        if (watchTimeout.isNegative() || watchTimeout.isZero()) {
            throw new IllegalArgumentException("watchTimeout must be positive: " + watchTimeout);
        }
        if (maxWatchBacklog < 1) {
            throw new IllegalArgumentException("maxWatchBacklog must be positive: " + maxWatchBacklog);
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("eventLoops must be positive: " + eventLoops);
        }
    }

    /** 127.0.0.1, a free port, 100,000 changes of history, bookmarks every 5 s, 30 min watches. */
    public static ApiServerOptions defaults() {
        return new ApiServerOptions("127.0.0.1", 0, 100_000, Duration.ofSeconds(5), Duration.ofMinutes(30), 200_000,
                Math.max(2, Runtime.getRuntime().availableProcessors()), false, null, null, false);
    }

    public ApiServerOptions withHost(String host) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withPort(int port) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withWatchHistory(int watchHistory) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withBookmarkInterval(Duration bookmarkInterval) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withWatchTimeout(Duration watchTimeout) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withMaxWatchBacklog(int maxWatchBacklog) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withEventLoops(int eventLoops) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withKubeletsDeletingPods(boolean kubeletsDeletePods) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withDataDir(Path dataDir) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withHistoryFile(Path historyFile) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }

    public ApiServerOptions withFaultEndpoints(boolean faultEndpoints) {
        return new ApiServerOptions(host, port, watchHistory, bookmarkInterval, watchTimeout, maxWatchBacklog, eventLoops, kubeletsDeletePods, dataDir, historyFile, faultEndpoints);
    }
}
