package dev.maestro.bench;

import dev.maestro.policy.nn.Activation;
import dev.maestro.policy.nn.CandidateTable;
import dev.maestro.policy.nn.MaskedSoftmax;
import dev.maestro.policy.nn.Mlp;
import dev.maestro.policy.nn.PolicyNetwork;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decision of the lightweight policy, at a realistic size: context C = 388 (384-d question
 * embedding + 4 scalars), K = 20 candidates with D = 48 dynamic features each, static description
 * embeddings S = 768 (model + skill, 384 each) for N = 60 registry pairs, hidden [64, 32], tanh or ReLU.
 *
 * <ul>
 *   <li>{@code decide}: context projection + scoring 20 candidates (static part read from the cached
 *       projection) + masked softmax — what a rollout pays per turn;</li>
 *   <li>{@code decideNaive}: the same decision without the precomputation, i.e. the 768 description
 *       features fed as ordinary candidate features (K·(D+S)·H1 per decision) — shows what the cache saves;</li>
 *   <li>{@code trainStep}: forward + backward of one decision (a GRPO update pays this per stored decision).</li>
 * </ul>
 * Sample-time mode, so JMH prints the median (p0.50) in ns/op.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class PolicyNetworkBench {
    static final int C = 388;
    static final int D = 48;
    static final int S = 768;
    static final int N = 60;
    static final int K = 20;

    @Param({"TANH", "RELU"})
    Activation activation;

    Mlp net;
    Mlp naive;
    CandidateTable table;
    PolicyNetwork.Workspace ws;
    PolicyNetwork.Workspace naiveWs;
    double[] q;
    double[] x;
    double[] xNaive;
    int[] rows;
    boolean[] mask;
    double[] scores;
    double[] probs;
    double[] dScores;

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        net = Mlp.builder().contextSize(C).candidateSize(D).staticSize(S).hidden(64, 32).activation(activation).seed(1).build();
        naive = Mlp.builder().contextSize(C).candidateSize(D + S).hidden(64, 32).activation(activation).seed(1).build();
        double[] emb = new double[N * S];
        for (int i = 0; i < emb.length; i++) {
            emb[i] = r.nextGaussian() * 0.05;
        }
        table = CandidateTable.of(N, S, emb);
        q = new double[C];
        for (int i = 0; i < C; i++) {
            q[i] = r.nextGaussian() * 0.05;
        }
        x = new double[K * D];
        xNaive = new double[K * (D + S)];
        rows = new int[K];
        for (int k = 0; k < K; k++) {
            rows[k] = (k * 7) % N;
            for (int j = 0; j < D; j++) {
                // about a third of dynamic features are 0/1 flags that are off
                double v = j % 3 == 0 ? 0.0 : r.nextDouble();
                x[k * D + j] = v;
                xNaive[k * (D + S) + j] = v;
            }
            System.arraycopy(emb, rows[k] * S, xNaive, k * (D + S) + D, S);
        }
        mask = new boolean[K];
        for (int k = 0; k < K; k++) {
            mask[k] = k % 5 != 4; // some candidates invalid (modality, budget)
        }
        ws = net.newWorkspace(K);
        naiveWs = naive.newWorkspace(K);
        scores = new double[K];
        probs = new double[K];
        dScores = new double[K];
        for (int k = 0; k < K; k++) {
            dScores[k] = mask[k] ? r.nextDouble(-0.1, 0.1) : 0;
        }
        net.forward(q, x, table, rows, K, ws, scores); // fills the projection cache
    }

    @Benchmark
    public double decide() {
        net.forward(q, x, table, rows, K, ws, scores);
        return MaskedSoftmax.softmax(scores, mask, K, probs);
    }

    @Benchmark
    public double decideNaive() {
        naive.forward(q, xNaive, K, naiveWs, scores);
        return MaskedSoftmax.softmax(scores, mask, K, probs);
    }

    @Benchmark
    public double trainStep() {
        net.forward(q, x, table, rows, K, ws, scores);
        double lse = MaskedSoftmax.softmax(scores, mask, K, probs);
        net.backward(dScores, ws);
        return lse;
    }
}
