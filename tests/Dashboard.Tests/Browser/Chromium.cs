using Microsoft.Playwright;

namespace NasNotebooks.Tests.Browser;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, package <c>chromium</c>, installed by scripts/install-deps.sh) driven by
/// Playwright — never a downloaded browser — with the flags this machine needs: no sandbox as root, no background
/// networking (the network is closed), software WebGL for plotly's parallel coordinates.
/// </summary>
public static class Chromium
{
    /// <summary>Where Debian installs the browser.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>The command-line flags (besides Playwright's own --headless and --user-data-dir).</summary>
    public static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--enable-unsafe-swiftshader",
        "--use-angle=swiftshader", "--disable-features=Translate,MediaRouter,OptimizationHints",
    ];

    /// <summary>Starts headless Chromium; fails the test with the install command when it is missing.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            Assert.Fail($"Chromium is not installed at {ExecutablePath}: run scripts/install-deps.sh (apt-get install -y chromium). The browser tests never download a browser.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                ChromiumSandbox = false,
                Args = Flags,
                Timeout = 60_000,
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>The repository root (the folder holding NasNotebooks.sln).</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NasNotebooks.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("NasNotebooks.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Saves a full-page screenshot under artifacts/&lt;folder&gt;/&lt;name&gt;.png for review; returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string folder, string name, bool fullPage = true)
    {
        var dir = Path.Combine(RepoRoot(), "artifacts", folder);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        return path;
    }
}

/// <summary>One Chromium for all the tests of a collection; each test opens its own context (fresh storage, own viewport).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync() => (_playwright, Browser) = await Chromium.LaunchAsync();

    /// <summary>A new page in a laptop-sized window (1440 x 900) that records console errors.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync(int width = 1440, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") lock (errors) errors.Add(m.Text); };
        page.PageError += (_, e) => { lock (errors) errors.Add("page error: " + e); };
        return (page, errors);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}
