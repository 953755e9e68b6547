package dev.myelin.distributed;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Collective} over TCP: the workers form a ring (each sends to rank + 1 and receives from rank − 1)
 * and all-reduce as NCCL and Horovod do, in two passes over {@code N} chunks of the array: a reduce-scatter
 * ({@code N − 1} steps, after which each worker holds the full sum of one chunk) and an all-gather
 * ({@code N − 1} steps that pass the summed chunks around). Each worker sends and receives
 * {@code 2 (N − 1) / N} times the array, whatever {@code N}; each chunk is summed once, in one order, and then
 * copied, so every worker ends with bit-identical values.
 *
 * <p>Implementation notes for maintainers. Connections: a worker listens on its own socket (bound by the
 * caller to the executor's address), connects to its right neighbour and accepts its left one; the connecting
 * side sends a magic number, the job's token and its rank, and the accepting side refuses a wrong token or an
 * unexpected rank, so a stray connection or another job's worker cannot join. Every read has the timeout, so a
 * dead or stalled peer is an {@link IOException} naming it. Sending runs on its own thread while the worker
 * reads: with large chunks, a ring where everyone sends before reading would fill the TCP buffers and stall.
 * Framing: each all-reduce starts with the array's length and each chunk with its length, so a worker whose own
 * code failed ({@link #abort}) can send, in place of the next header, {@code ABORT}, its rank and its message;
 * every worker passes it on to its right and fails with that message, so each worker's error names the first
 * cause ("worker 1 failed: ...") instead of "worker 1 closed the connection".
 */
public final class RingCollective implements Collective {
    private static final int MAGIC = 0x4D594C4E; // "MYLN"
    /** In place of a length header: a worker failed; its rank and message follow. */
    private static final int ABORT = Integer.MIN_VALUE;
    private static final int MAX_CAUSE_CHARS = 2000;

    private final int rank, size;
    private final Duration timeout;
    private final Socket toRight, fromLeft;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final ExecutorService sender;
    private long bytesSent;
    /** Set once a send or receive failed or a peer's abort arrived: the streams may be mid-frame, so no abort is sent. */
    private boolean broken;
    private volatile boolean draining;

    private RingCollective(int rank, int size, Duration timeout, Socket toRight, Socket fromLeft) throws IOException {
        this.rank = rank;
        this.size = size;
        this.timeout = timeout;
        this.toRight = toRight;
        this.fromLeft = fromLeft;
        this.out = toRight == null ? null : new DataOutputStream(new BufferedOutputStream(toRight.getOutputStream(), 1 << 16));
        this.in = fromLeft == null ? null : new DataInputStream(new BufferedInputStream(fromLeft.getInputStream(), 1 << 16));
        this.sender = size == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "myelin-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the ring as {@code rank}: {@code peers} holds every worker's listening address in rank order
     * (this worker's own is {@code peers.get(rank)}, where {@code own} listens), {@code token} identifies the
     * job. Returns when both neighbours are connected, or throws naming the peer that did not answer within
     * {@code timeout}.
     */
    public static RingCollective join(int rank, List<InetSocketAddress> peers, ServerSocket own, long token, Duration timeout) throws IOException {
        int size = peers.size();
        if (size < 1) throw new IllegalArgumentException("a ring needs at least 1 worker, got none");
        if (rank < 0 || rank >= size) throw new IllegalArgumentException("rank must be in 0.." + (size - 1) + ", got " + rank);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("collective timeout must be positive, got " + timeout);
        if (size == 1) return new RingCollective(0, 1, timeout, null, null);
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        int right = (rank + 1) % size, left = (rank - 1 + size) % size;
        // Connect to the right neighbour on another thread while accepting the left one: with 2 workers each is
        // the other's left and right, and both must be done at once.
        ExecutorService connector = Executors.newSingleThreadExecutor();
        try {
            Future<Socket> connecting = connector.submit(() -> connect(peers.get(right), rank, right, token, millis));
            Socket leftSocket = accept(own, left, token, millis, rank);
            Socket rightSocket;
            try {
                rightSocket = connecting.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                leftSocket.close();
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (TimeoutException | InterruptedException e) {
                leftSocket.close();
                throw new IOException("worker " + rank + " could not connect to worker " + right + " at " + peers.get(right) + " within " + timeout.toSeconds() + " s", e);
            }
            return new RingCollective(rank, size, timeout, rightSocket, leftSocket);
        } finally {
            connector.shutdownNow();
        }
    }

    private static Socket connect(InetSocketAddress address, int rank, int right, long token, int millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            Socket s = new Socket();
            try {
                s.connect(address, millis);
                s.setTcpNoDelay(true);
                s.setSoTimeout(millis);
                DataOutputStream hello = new DataOutputStream(s.getOutputStream());
                hello.writeInt(MAGIC);
                hello.writeLong(token);
                hello.writeInt(rank);
                hello.flush();
                return s;
            } catch (IOException e) {
                s.close();
                // The neighbour may not listen yet: retry until the deadline.
                if (System.nanoTime() > deadline) {
                    throw new IOException("worker " + rank + " could not connect to worker " + right + " at " + address + ": " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while connecting to worker " + right, ie);
                }
            }
        }
    }

    private static Socket accept(ServerSocket own, int left, long token, int millis, int rank) throws IOException {
        own.setSoTimeout(millis);
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            Socket s;
            try {
                s = own.accept();
            } catch (SocketTimeoutException e) {
                throw new IOException("worker " + rank + ": worker " + left + " did not connect within " + millis / 1000 + " s", e);
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(millis);
            try {
                DataInputStream hello = new DataInputStream(s.getInputStream());
                int magic = hello.readInt();
                long theirToken = hello.readLong();
                int theirRank = hello.readInt();
                if (magic == MAGIC && theirToken == token && theirRank == left) return s;
                s.close(); // another job, a stray client or a wrong neighbour: refuse it and keep waiting
            } catch (IOException e) {
                s.close();
            }
            if (System.nanoTime() > deadline) throw new IOException("worker " + rank + ": worker " + left + " did not connect with this job's token within " + millis / 1000 + " s");
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return size;
    }

    /** Chunk c of n elements split into size parts: the first n % size chunks have one more element. */
    private int chunkStart(int n, int c) {
        int base = n / size, extra = n % size;
        return c * base + Math.min(c, extra);
    }

    /** After a failure the ring is closed, so the neighbours fail at once instead of waiting for the timeout. */
    @Override
    public void allReduceSum(float[] data) throws IOException {
        if (size == 1) return;
        try {
            ringAllReduce(data);
        } catch (IOException | RuntimeException e) {
            broken = true;
            close();
            throw e;
        }
    }

    /**
     * Ends this worker's part after its own code failed with {@code cause}: sends the failure around the ring
     * (each peer's pending or next collective call then fails with "worker R failed: CAUSE"), then closes. Sends
     * nothing when the ring already failed (the failure came from a peer) or has one worker.
     */
    public void abort(Throwable cause) throws IOException {
        if (size == 1 || broken) {
            close();
            return;
        }
        broken = true;
        String text = String.valueOf(cause);
        sendAbort(rank, text.length() > MAX_CAUSE_CHARS ? text.substring(0, MAX_CAUSE_CHARS) + "..." : text);
        // With 3 or more workers the message takes a while to come round to the left neighbour, which meanwhile
        // still sends: read and drop its bytes until it closes (or a grace period ends), so its sends do not fail
        // with "connection reset" before the message tells it why.
        draining = true;
        Thread drain = new Thread(() -> {
            try {
                fromLeft.setSoTimeout((int) Math.min(timeout.toMillis(), 10_000));
                byte[] sink = new byte[1 << 16];
                while (in.read(sink) >= 0) {
                    // dropped: the ring is over
                }
            } catch (IOException e) {
                // timeout or reset: stop draining
            } finally {
                try {
                    fromLeft.close();
                } catch (IOException e) {
                    // nothing left to do
                }
            }
        }, "myelin-ring-drain-" + rank);
        drain.setDaemon(true);
        drain.start();
        close();
    }

    /** Writes the abort frame after whatever the sender thread is still writing (frames stay whole); best effort. */
    private void sendAbort(int origin, String cause) {
        Future<?> sent = sender.submit(() -> {
            out.writeInt(ABORT);
            out.writeInt(origin);
            out.writeUTF(cause);
            out.flush();
            toRight.shutdownOutput(); // a FIN after the frame, so the peer reads it before the end of the stream
            return null;
        });
        try {
            sent.get(Math.min(timeout.toMillis(), 5000), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the right neighbour is gone too: it will not need the message
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads the next frame header: a length, or a peer's abort, which is passed on to the right
     * (unless the right neighbour sent it) and thrown as "worker R failed: CAUSE".
     */
    private int header(String what) throws IOException {
        int h = read(() -> in.readInt());
        if (h != ABORT) return h;
        broken = true;
        int origin = read(() -> in.readInt());
        String cause = read(() -> in.readUTF());
        if (origin != (rank + 1) % size) sendAbort(origin, cause);
        close();
        throw new IOException("worker " + rank + " stopped at " + what + ": worker " + origin + " failed: " + cause);
    }

    private void ringAllReduce(float[] data) throws IOException {
        exchangeLength(data.length);
        int n = data.length;
        // Reduce-scatter: at step s, send chunk (rank − s) and add the received chunk (rank − s − 1).
        for (int s = 0; s < size - 1; s++) {
            int send = Math.floorMod(rank - s, size), receive = Math.floorMod(rank - s - 1, size);
            step(data, chunkStart(n, send), chunkStart(n, send + 1), chunkStart(n, receive), chunkStart(n, receive + 1), true);
        }
        // All-gather: this worker now holds the sum of chunk (rank + 1); pass the sums around.
        for (int s = 0; s < size - 1; s++) {
            int send = Math.floorMod(rank + 1 - s, size), receive = Math.floorMod(rank - s, size);
            step(data, chunkStart(n, send), chunkStart(n, send + 1), chunkStart(n, receive), chunkStart(n, receive + 1), false);
        }
    }

    /** Every worker must all-reduce the same length: each checks its left neighbour's, so around the ring all are equal. */
    private void exchangeLength(int n) throws IOException {
        Future<?> sent = sender.submit(() -> {
            out.writeInt(n);
            out.flush();
            return null;
        });
        int theirs = header("an all-reduce");
        finish(sent);
        if (theirs != n) throw new IOException("all-reduce: worker " + rank + " has " + n + " values but worker " + Math.floorMod(rank - 1, size) + " has " + theirs);
    }

    private void step(float[] data, int sendFrom, int sendTo, int receiveFrom, int receiveTo, boolean add) throws IOException {
        float[] outgoing = java.util.Arrays.copyOfRange(data, sendFrom, sendTo); // the sender must not see this step's additions
        bytesSent += 4L * outgoing.length;
        Future<?> sent = sender.submit(() -> {
            ByteBuffer b = ByteBuffer.allocate(outgoing.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(outgoing);
            out.writeInt(outgoing.length);
            out.write(b.array());
            out.flush();
            return null;
        });
        int length = header("an all-reduce step");
        if (length != receiveTo - receiveFrom) {
            throw new IOException("all-reduce: worker " + rank + " expected a chunk of " + (receiveTo - receiveFrom) + " values from worker "
                    + Math.floorMod(rank - 1, size) + ", got " + length);
        }
        byte[] bytes = new byte[(receiveTo - receiveFrom) * 4];
        read(() -> {
            in.readFully(bytes);
            return null;
        });
        finish(sent);
        var floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int i = receiveFrom; i < receiveTo; i++) {
            float v = floats.get();
            data[i] = add ? data[i] + v : v;
        }
    }

    private interface Read<T> {
        T run() throws IOException;
    }

    private <T> T read(Read<T> r) throws IOException {
        int left = Math.floorMod(rank - 1, size);
        try {
            return r.run();
        } catch (SocketTimeoutException e) {
            throw new IOException("worker " + rank + " received nothing from worker " + left + " within " + timeout.toSeconds() + " s (a dead or stalled peer)", e);
        } catch (EOFException e) {
            throw new IOException("worker " + rank + ": worker " + left + " closed the connection", e);
        }
    }

    private void finish(Future<?> sent) throws IOException {
        int right = (rank + 1) % size;
        try {
            sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("worker " + rank + " could not send to worker " + right + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("worker " + rank + " could not send to worker " + right + " within " + timeout.toSeconds() + " s (a dead or stalled peer)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("worker " + rank + " was interrupted while sending", e);
        }
    }

    /**
     * The bytes of values this worker has sent to its right neighbour since it joined: {@code 2 (N − 1) / N × 4}
     * bytes per value all-reduced (rounded by the chunking), the 4-byte length headers (one per all-reduce and
     * one per chunk) not counted.
     */
    public long bytesSent() {
        return bytesSent;
    }

    /** An all-reduce of one value: every worker has passed it only when all have arrived. */
    @Override
    public void barrier() throws IOException {
        allReduceSum(new float[1]);
    }

    /** After {@link #abort}, the connection from the left is closed by the thread that drains it. */
    @Override
    public void close() throws IOException {
        if (sender != null) sender.shutdownNow();
        try {
            if (toRight != null) toRight.close();
        } finally {
            if (fromLeft != null && !draining) fromLeft.close();
        }
    }
}
