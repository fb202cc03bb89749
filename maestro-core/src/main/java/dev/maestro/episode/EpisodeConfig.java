package dev.maestro.episode;

import dev.maestro.MaestroException;

/**
 * Limits and scoring of one episode.
 *
 * @param maxTurns      turns before the episode ends without an answer (default 4, as in the paper)
 * @param maxCalls      expert calls allowed per episode
 * @param maxCostUsd    dollars allowed per episode
 * @param reward        reward weights
 * @param gradeByRecordedFlag when an answer commits to a replayed output, grade it by that output's recorded
 *                      correctness flag (reproduces the benchmark's own grading) rather than by our grader
 */
public record EpisodeConfig(int maxTurns, int maxCalls, double maxCostUsd, RewardWeights reward, boolean gradeByRecordedFlag) {
    public static final EpisodeConfig DEFAULT = new EpisodeConfig(4, 8, 1.0, RewardWeights.DEFAULT, true);

    public EpisodeConfig {
        if (maxTurns < 1) {
            throw new MaestroException("max turns must be at least 1, got " + maxTurns);
        }
        if (maxCalls < 0) {
            throw new MaestroException("max calls must be 0 or more, got " + maxCalls);
        }
        if (!(maxCostUsd >= 0)) {
            throw new MaestroException("max cost must be a number of dollars >= 0, got " + maxCostUsd);
        }
    }

    public EpisodeConfig withMaxTurns(int v) { return new EpisodeConfig(v, maxCalls, maxCostUsd, reward, gradeByRecordedFlag); }
    public EpisodeConfig withMaxCalls(int v) { return new EpisodeConfig(maxTurns, v, maxCostUsd, reward, gradeByRecordedFlag); }
    public EpisodeConfig withMaxCost(double v) { return new EpisodeConfig(maxTurns, maxCalls, v, reward, gradeByRecordedFlag); }
    public EpisodeConfig withReward(RewardWeights v) { return new EpisodeConfig(maxTurns, maxCalls, maxCostUsd, v, gradeByRecordedFlag); }
    public EpisodeConfig withGradeByRecordedFlag(boolean v) { return new EpisodeConfig(maxTurns, maxCalls, maxCostUsd, reward, v); }
}
