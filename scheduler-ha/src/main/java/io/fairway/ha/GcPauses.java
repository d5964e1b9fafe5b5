package io.fairway.ha;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The JVM's stop-the-world collections as the collectors report them (their concurrent cycles left out): how many and
 * the longest, for {@code /statez}. A pause stops the lease's renewal thread too, so the longest one is to be read
 * against the lease's renew deadline.
 */
public final class GcPauses {
    private static final GcPauses INSTANCE = new GcPauses();
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong maxMillis = new AtomicLong();
    private final AtomicLong totalMillis = new AtomicLong();

    private GcPauses() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getName().contains("Concurrent") || gc.getName().contains("Cycles")
                    || !(gc instanceof NotificationEmitter e)) {
                continue;
            }
            e.addNotificationListener((n, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                    return;
                }
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                        .from((CompositeData) n.getUserData());
                long d = info.getGcInfo().getDuration();
                count.incrementAndGet();
                totalMillis.addAndGet(d);
                maxMillis.accumulateAndGet(d, Math::max);
            }, null, null);
        }
    }

    /** Starts counting (once per JVM). */
    public static GcPauses get() {
        return INSTANCE;
    }

    public long count() {
        return count.get();
    }

    public long maxMillis() {
        return maxMillis.get();
    }

    public long totalMillis() {
        return totalMillis.get();
    }
}
