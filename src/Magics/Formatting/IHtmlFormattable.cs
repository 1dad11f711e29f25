namespace NasNotebooks.Magics;

/// <summary>Implemented by types that render themselves as an HTML fragment in notebook outputs.</summary>
public interface IHtmlFormattable
{
    /// <summary>An HTML fragment (no <c>&lt;html&gt;</c> wrapper); the caller does not escape it.</summary>
    string ToHtml();
}

/// <summary>Implemented by types that provide their own complete MIME bundle.</summary>
public interface IMimeFormattable
{
    /// <summary>Adds representations to <paramref name="bundle"/> (text/plain is already set).</summary>
    void Format(MimeBundle bundle);
}
