using System.Net;
using System.Text;

namespace NasNotebooks.Dashboard.Web;

/// <summary>The HTML shells of the pages; the data comes as JSON in the page and over the event stream.</summary>
internal static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A full page: header with breadcrumbs, the body, the page's JSON data and the script.</summary>
    public static string Page(string title, string pageKind, string crumbs, string body, string? json, bool refresh = false)
    {
        var sb = new StringBuilder(1024 + body.Length + (json?.Length ?? 0));
        sb.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        if (refresh) sb.Append("<meta http-equiv=\"refresh\" content=\"5\">");
        sb.Append("<title>").Append(E(title)).Append(" · NasNotebooks dashboard</title>");
        sb.Append("<link rel=\"icon\" href=\"/assets/favicon.svg\"><link rel=\"stylesheet\" href=\"/assets/dashboard.css\">");
        // The charts' library is fetched while the table is built (it is run only after the table is usable).
        if (pageKind == "study") sb.Append("<link rel=\"preload\" href=\"/assets/plotly.min.js\" as=\"script\">");
        sb.Append("</head>\n<body data-page=\"").Append(pageKind).Append("\">");
        sb.Append("<header class=\"top\"><a class=\"brand\" href=\"/\"><img src=\"/assets/favicon.svg\" alt=\"\">NasNotebooks <span>dashboard</span></a>");
        sb.Append("<nav class=\"crumbs\">").Append(crumbs).Append("</nav><span id=\"live\" class=\"live\" title=\"live updates\"></span></header>\n");
        sb.Append("<main>").Append(body).Append("</main>\n");
        if (json is not null) sb.Append("<script type=\"application/json\" id=\"nas-data\">").Append(json).Append("</script>\n");
        sb.Append("<script src=\"/assets/dashboard.js\" defer></script>\n</body></html>");
        return sb.ToString();
    }

    public static string Studies(string json) => Page("Studies", "studies", "<span>Studies</span>",
        "<section class=\"panel\"><h1>Studies</h1><div id=\"stores\" aria-live=\"polite\"></div></section>", json);

    public static string Study(string store, string study, string json) => Page(study, "study",
        $"<a href=\"/\">Studies</a><span class=\"sep\">›</span><span class=\"crumb-store\">{E(store)}</span><span class=\"sep\">›</span><span class=\"study-name\">{E(study)}</span>",
        """
        <div id="banner" class="banner" hidden></div>
        <section class="cards" id="cards"></section>
        <div class="grid">
          <section class="panel charts">
            <div class="tabs" role="tablist" id="tabs"></div>
            <div id="chart-area"></div>
          </section>
          <aside class="panel best" id="best"><h2>Best trial</h2><div class="empty">No completed trial yet.</div></aside>
        </div>
        <section class="panel trials">
          <div class="table-head"><h2>Trials</h2><div class="states" id="state-filter"></div><span class="count" id="count"></span>
            <button type="button" id="clear-filters" class="link">clear filters</button></div>
          <div class="table-wrap" id="table-wrap"><table id="trials"><thead></thead><tbody></tbody></table></div>
        </section>
        <div id="detail" class="detail" hidden></div>
        """, json);

    public static string Error(string title, string message, bool retry = false) => Page(title, "error", "<a href=\"/\">Studies</a>",
        $"<section class=\"panel error-page\"><h1>{E(title)}</h1><p class=\"message\">{E(message)}</p>" +
        (retry ? "<p class=\"hint\">This page tries again every 5 seconds.</p>" : "") +
        "<p><a href=\"/\">All studies</a></p></section>", null, refresh: retry);
}
