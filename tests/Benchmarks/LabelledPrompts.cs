namespace Benchmarks;

/// <summary>The evaluation's prompt set: each prompt labelled with the intent it truly has (none is a classifier example).</summary>
public static class LabelledPrompts
{
    public static readonly IReadOnlyList<LabelledPrompt> All =
    [
        .. Label("chitchat",
            "hey, nice to meet you", "how is your day going", "thank you so much for the help", "can you tell me a joke",
            "what's your favourite colour", "good evening friend", "are you a robot", "cheers, have a great weekend",
            "hello again, it's me", "what should I call you"),
        .. Label("summarize",
            "summarize the quarterly earnings call transcript below", "give me the gist of this long email thread",
            "shorten this blog post to five sentences", "key takeaways from the attached research paper please",
            "sum up this chapter of the novel", "write an executive summary of the incident report",
            "boil this policy document down to bullet points", "recap the main decisions from these meeting notes",
            "brief summary of the customer interview", "condense these release notes for the changelog"),
        .. Label("extract",
            "extract every email address from this text", "get the product names and prices from this receipt",
            "pull the shipping address out of this message", "list all the dates mentioned in the contract",
            "find the phone numbers in this web page", "return the author, title and year as json",
            "which cities are mentioned in this article", "grab the tracking number from this email",
            "extract the line items from this invoice into a table", "identify every person's name in the transcript"),
        .. Label("translate",
            "translate this menu into portuguese", "what is 'thank you' in korean", "put this email into formal german",
            "translate these subtitles from english to dutch", "how would you say 'see you tomorrow' in french",
            "render this product description in chinese", "translate the terms of service into italian",
            "convert this spanish recipe to english", "what does 'carpe diem' mean in english", "translate my cover letter to swedish"),
        .. Label("code",
            "implement binary search in go", "this typescript throws undefined is not a function, why",
            "write unit tests for this java class", "optimise this slow postgres query with an index",
            "convert this python script to c#", "explain the difference between a mutex and a semaphore in code",
            "add error handling to this node.js function", "write a regex that matches ipv4 addresses",
            "my docker build fails with a missing dependency, help", "create a react component for a login form"),
        .. Label("math",
            "what is 17 * 23 + 4", "find the derivative of sin(x) * x^2", "solve for y: 2y - 5 = 11",
            "how many ways can 5 people sit in a row", "what is the area of a circle with radius 7",
            "compute the compound interest on 1000 at 5 percent for 3 years", "is 221 a prime number",
            "integrate e^(2x) dx", "the sum of the first 100 positive integers", "convert 0.375 to a fraction"),
        .. Label("reasoning",
            "should we build or buy a billing system, weigh the trade-offs", "design a rollout plan for a risky database migration",
            "why might a startup fail despite strong revenue growth", "critique this business plan and list its weakest assumptions",
            "decide which of three job offers fits best given these priorities", "explain the likely causes of the outage from these logs",
            "argue both sides of remote work for a small team", "what are the second-order effects of raising prices by ten percent",
            "prioritise these ten features for the next quarter and justify", "assess the risks of storing passwords this way"),
        .. Label("creative",
            "write a haiku about autumn rain", "invent a bedtime story about a brave turtle", "brainstorm names for a jazz band",
            "write a limerick about a forgetful cat", "compose a short song chorus about summer", "describe a fantasy city in vivid detail",
            "write an opening line for a mystery novel", "create a tagline for an eco-friendly water bottle",
            "write a funny birthday message for my brother", "draft a short speech for a retirement party"),
    ];

    private static IEnumerable<LabelledPrompt> Label(string intent, params string[] texts) => texts.Select(text => new LabelledPrompt(intent, text));
}

public sealed record LabelledPrompt(string Intent, string Text);
