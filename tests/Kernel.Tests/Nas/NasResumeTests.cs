using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests.Nas;

/// <summary>Runs the driver's nas_resume scenario in its own kernel (it kills that kernel), beside the other kernel tests.</summary>
public sealed class NasResumeDriverFixture() : KernelDriverFixture("nas_resume");

/// <summary>
/// `#!nas resume` through the real jupyter_client: a search on a SQLite study is killed mid-run (SIGKILL of the kernel
/// process while a trial is being evaluated), a new kernel is started, and the resumed study ends with exactly the
/// trial budget, every trial completed once, the trials finished before the kill kept as they were, and the trial the
/// dead kernel held served again at once (its holder is a process of this machine that is gone), not after its 60 s lease.
/// </summary>
public sealed class NasResumeTests(NasResumeDriverFixture fixture) : IClassFixture<NasResumeDriverFixture>
{
    private static string S(JsonNode? n) => n?.GetValue<string>() ?? "<null>";

    /// <summary>Rows of the driver's SQLite read: id, status, dna, reward, ended_at, worker.</summary>
    private static List<(int Id, string Status, string Dna, string? Reward, string? EndedAt, string? Worker)> Rows(JsonNode rows) =>
        rows.AsArray().Select(r => r!.AsArray()).Select(r => (r[0]!.GetValue<int>(), S(r[1]), S(r[2]), r[3]?.ToJsonString(), r[4]?.ToJsonString(), r[5]?.ToJsonString())).ToList();

    [Fact]
    public void Resume_AfterTheKernelWasKilledMidSearch_CompletesExactlyTheBudget()
    {
        var d = fixture.Scenario("nas_resume");
        Assert.Equal("ok", S(d["setup"]!["reply"]!["status"]));
        Assert.NotEqual(d["killed_pid"]!.GetValue<int>(), d["new_pid"]!.GetValue<int>());

        var before = Rows(d["before"]!);
        var completedBefore = before.Where(r => r.Status == "completed").ToList();
        var pendingBefore = before.Where(r => r.Status == "pending").ToList();
        // Killed with at least 4 trials done and (the driver waits for it) one in evaluation; in the rare case that
        // it ended between the driver's look and the kill, none is held.
        Assert.True(completedBefore.Count >= 4, $"{completedBefore.Count} trials completed before the kill");
        Assert.InRange(pendingBefore.Count, 0, 1);
        Assert.Equal(Enumerable.Range(1, before.Count), before.Select(r => r.Id));
        Assert.True(completedBefore.Count < 12, "the search finished before the kill");

        var resume = d["resume"]!;
        Assert.True(S(resume["reply"]!["status"]) == "ok", resume["reply"]!.ToJsonString());
        var after = Rows(d["after"]!);
        Assert.Equal(Enumerable.Range(1, 12), after.Select(r => r.Id));
        Assert.All(after, r => Assert.Equal("completed", r.Status));
        // The trials finished before the kill are kept as they were (same DNA, reward, end time, worker).
        foreach (var kept in completedBefore) Assert.Equal(kept, after[kept.Id - 1]);
        // The trial the dead kernel held is the same proposal, now finished by the new kernel.
        foreach (var held in pendingBefore)
        {
            Assert.Equal(held.Dna, after[held.Id - 1].Dna);
            Assert.NotEqual(held.Worker, after[held.Id - 1].Worker);
        }
        // At most 8 trials of 250 ms are left: a resume that waited for the dead kernel's 60 s lease would take over a minute.
        double seconds = d["resume_seconds"]!.GetValue<double>();
        Assert.True(seconds < 45, $"the resume took {seconds:F1} s: it waited for the dead kernel's lease");

        // The resumed run's final display and the store's status table say the same.
        var summary = resume["iopub"]!.AsArray().Where(m => S(m!["msg_type"]) == "display_data").Select(m => S(m!["content"]!["data"]!["text/plain"])).ToList();
        Assert.Contains(summary, t => t.StartsWith("[finished] killed (evolution): 12/12 trials", StringComparison.Ordinal));
        var status = d["status"]!;
        Assert.Equal("ok", S(status["reply"]!["status"]));
        var html = string.Concat(status["iopub"]!.AsArray().Where(m => S(m!["msg_type"]) == "display_data").Select(m => S(m!["content"]!["data"]!["text/html"])));
        Assert.Contains("<th>study</th><th>algorithm</th><th>trials</th><th>completed</th><th>best</th>", html);
        Assert.Contains("<td>0</td><td>killed</td><td>evolution</td><td>12</td><td>12</td>", html);
    }
}
