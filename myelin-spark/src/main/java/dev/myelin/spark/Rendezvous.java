package dev.myelin.spark;

import dev.myelin.distributed.RingCollective;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * How the tasks of one barrier stage become a {@link RingCollective}: each listens on its executor's own
 * address, sends its address and a few words of its own through Spark's {@code allGather} (the one Spark call
 * per stage: it costs 70 ms to 1 s), and joins the ring. Spark's {@code allGather} is fine for meeting once,
 * too slow for every step.
 */
final class Rendezvous {
    /** The ring, and every worker's words in rank order (this worker's own included). */
    record Joined(RingCollective ring, List<String[]> words) {}

    private Rendezvous() {}

    /**
     * Joins the ring of {@code ctx}'s stage; {@code words} (no spaces in any) travel to every worker. The
     * caller closes the ring.
     */
    static Joined join(BarrierTaskContext ctx, List<String> words, long token, Duration timeout) throws IOException {
        JdkCheck.requireHere();
        int rank = ctx.partitionId(), world = ctx.getTaskInfos().length;
        String host = ctx.getTaskInfos()[rank].address().split(":")[0];
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getByName(host))) {
            String[] all = ctx.allGather(host + " " + server.getLocalPort() + (words.isEmpty() ? "" : " " + String.join(" ", words)));
            List<InetSocketAddress> peers = new ArrayList<>();
            List<String[]> gathered = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                String[] p = all[r].split(" ");
                peers.add(new InetSocketAddress(p[0], Integer.parseInt(p[1])));
                gathered.add(java.util.Arrays.copyOfRange(p, 2, p.length));
            }
            // The server only accepts the left neighbour, inside join: it can close once the ring stands.
            return new Joined(RingCollective.join(rank, peers, server, token, timeout), List.copyOf(gathered));
        }
    }
}
